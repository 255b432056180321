// A loopback endpoint for web-metric tests, over HTTP and HTTPS (a throwaway self-signed certificate for
// 127.0.0.1): it records every request and answers JSON naming the method and body it received; paths
// under /slow/ answer after `slowMs`.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Received = { method: string; path: string; body: string };

export type EchoServer = {
  http: string;
  https: string;
  /** The certificate (PEM) and key files, for a TLS Prometheus on the same address. */
  certFile: string;
  keyFile: string;
  cert: string;
  received: Received[];
  stop(): Promise<void>;
};

/** A self-signed certificate for IP 127.0.0.1 in `dir`, as a test endpoint would have. */
export function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "pipe" },
  );
  return { certFile, keyFile };
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(String((server.address() as AddressInfo).port))),
  );

export async function startEchoServer(slowMs: number): Promise<EchoServer> {
  const dir = await mkdtemp(join(tmpdir(), "ramp-echo-"));
  const { certFile, keyFile } = selfSigned(dir);
  const cert = await readFile(certFile, "utf8");
  const received: Received[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const got = { method: req.method ?? "", path: req.url ?? "", body };
      received.push(got);
      const answer = () => {
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ ok: true, method: got.method, body: got.body }));
      };
      if (got.path.startsWith("/slow/")) setTimeout(answer, slowMs).unref();
      else answer();
    });
  };
  const http = createHttp(handler);
  const https = createHttps({ cert, key: await readFile(keyFile, "utf8") }, handler);
  const [httpPort, httpsPort] = [await listen(http), await listen(https)];
  const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
  return {
    http: `http://127.0.0.1:${httpPort}`,
    https: `https://127.0.0.1:${httpsPort}`,
    certFile,
    keyFile,
    cert,
    received,
    async stop() {
      http.closeAllConnections();
      https.closeAllConnections();
      await Promise.all([close(http), close(https)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
