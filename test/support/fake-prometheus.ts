// A misbehaving Prometheus for fault tests: each path prefix answers /api/v1/query one broken way.
import { createServer, type Server } from "node:http";

export type FaultMode = "slow" | "nan" | "empty" | "huge" | "malformed" | "html" | "ok";

const vector = (values: string[]) =>
  JSON.stringify({
    status: "success",
    data: {
      resultType: "vector",
      result: values.map((v, i) => ({ metric: { i: String(i) }, value: [Date.now() / 1000, v] })),
    },
  });

/** Serves `http://127.0.0.1:PORT/<mode>/api/v1/query`. */
export async function startFakePrometheus(): Promise<{
  url: (mode: FaultMode) => string;
  stop(): Promise<void>;
}> {
  const server: Server = createServer((req, res) => {
    const mode = (req.url ?? "/").split("/")[1] as FaultMode;
    res.setHeader("Content-Type", "application/json");
    switch (mode) {
      case "slow":
        setTimeout(() => res.end(vector(["0.01"])), 5000).unref();
        return;
      case "nan":
        res.end(vector(["NaN"]));
        return;
      case "empty":
        res.end(vector([]));
        return;
      case "huge":
        // About 12 MB: more than the provider reads.
        res.end(vector(Array.from({ length: 200_000 }, () => "0.01")));
        return;
      case "malformed":
        res.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":');
        return;
      case "html":
        res.setHeader("Content-Type", "text/html");
        res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
        return;
      default:
        res.end(vector(["0.01"]));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: (mode) => `http://127.0.0.1:${port}/${mode}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
