// Pods are simulated (kwok), so their addresses come from the pod CIDR and nothing answers there; and only
// loopback addresses may receive traffic on these machines. kube-apiserver refuses loopback addresses in
// EndpointSlices (ValidateEndpointIP), so the pod CIDR cannot simply be a loopback range. Instead each pod
// address a.b.c.d in the pod CIDR has one loopback twin 127.b.c.d, where that pod's stand-in listens, and a
// gateway reads the apiserver through this relay on 127.0.0.1, which writes the twin in place of every
// EndpointSlice address. Nothing else changes: which endpoints are ready, weights and matches are
// Kubernetes' and the gateway's own decisions.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { podCidr } from "../cluster/paths.ts";

const [net, bits] = podCidr.split("/") as [string, string];
if (Number(bits) < 8)
  throw new Error(`ramp: pod CIDR ${podCidr} is wider than a /8: it has no loopback twin`);
const podFirst = net.split(".")[0] ?? "";

/** The loopback twin of a pod address (10.244.1.7 → 127.244.1.7); undefined outside the pod CIDR. */
export function loopbackTwin(ip: string): string | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts[0] !== podFirst || !inPodCidr(ip)) return undefined;
  return ["127", ...parts.slice(1)].join(".");
}

function toInt(ip: string): number {
  return ip.split(".").reduce((a, p) => a * 256 + Number(p), 0);
}

function inPodCidr(ip: string): boolean {
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(net) / size);
}

const QUOTED_IP = /"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})"/g;

/** Rewrites every quoted pod address in an EndpointSlice body (the only IPs a slice carries). */
export function rewriteSliceBody(text: string): string {
  return text.replace(QUOTED_IP, (m, ip: string) => {
    const twin = loopbackTwin(ip);
    return twin ? `"${twin}"` : m;
  });
}

const isSlicePath = (path: string) =>
  path.startsWith("/apis/discovery.k8s.io/") && path.includes("endpointslices");

export type AddressMapRelay = { url: string; stop(): Promise<void> };

/** Starts the relay on 127.0.0.1 in front of `apiserver` (https, trusted through `ca`). */
export async function startAddressMapRelay(opts: {
  apiserver: string;
  ca: string;
}): Promise<AddressMapRelay> {
  const upstream = new URL(opts.apiserver);
  const server: Server = createServer((req, res) => relay(req, res, upstream, opts.ca));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function relay(req: IncomingMessage, res: ServerResponse, upstream: URL, ca: string): void {
  const path = req.url ?? "/";
  const slices = isSlicePath(path.split("?")[0] ?? "");
  const headers = { ...req.headers, host: upstream.host };
  if (slices) {
    // Plain JSON, uncompressed, so addresses can be rewritten as text.
    headers.accept = "application/json";
    delete headers["accept-encoding"];
  }
  const out = httpsRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path, headers, ca },
    (up) => {
      const h = { ...up.headers };
      if (!slices) {
        res.writeHead(up.statusCode ?? 502, h);
        up.pipe(res);
        return;
      }
      delete h["content-length"];
      res.writeHead(up.statusCode ?? 502, h);
      // Watch events are one JSON document per line; a list is one document. Rewrite whole lines only.
      let pending = "";
      up.setEncoding("utf8");
      up.on("data", (chunk: string) => {
        pending += chunk;
        const end = pending.lastIndexOf("\n");
        if (end < 0) return;
        res.write(rewriteSliceBody(pending.slice(0, end + 1)));
        pending = pending.slice(end + 1);
      });
      up.on("end", () => res.end(rewriteSliceBody(pending)));
      up.on("error", () => res.destroy());
    },
  );
  out.on("error", (err) => {
    if (!res.headersSent) res.writeHead(502).end(`relay: ${err.message}`);
    else res.destroy();
  });
  res.on("close", () => out.destroy());
  req.pipe(out);
}
