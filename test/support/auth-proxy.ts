// A loopback-only reverse proxy that lets a request through to a test Prometheus only when it carries
// exactly the required headers (a bearer token, a tenant header). Prometheus' --web.config.file can
// require TLS and basic auth but not these, so tests of ramp's bearerToken and headers put this in front.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type AuthProxy = {
  /** http://127.0.0.1:PORT */
  url: string;
  /** How many requests it refused (401). */
  refused(): number;
  stop(): Promise<void>;
};

/** Requests whose `required` headers (name → exact value) all match go to `upstream`; the rest get 401. */
export async function startAuthProxy(upstream: string, required: Record<string, string>): Promise<AuthProxy> {
  const target = new URL(upstream);
  let refused = 0;
  const server: Server = createServer((req, res) => {
    const wrong = Object.entries(required).find(([name, value]) => req.headers[name.toLowerCase()] !== value);
    if (wrong) {
      refused++;
      res.writeHead(401, { "content-type": "text/plain" });
      res.end(`missing or wrong ${wrong[0]}\n`);
      return;
    }
    const headers = { ...req.headers, host: target.host };
    const out = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`upstream: ${err.message}\n`);
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
