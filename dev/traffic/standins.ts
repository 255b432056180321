// Real local HTTP processes standing in for the versions of an app (pods are simulated by kwok, so no
// container answers): each answers every request with its version, and counts what it served.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Requests the proxy copies to a mirror carry this header, so a stand-in can tell them apart. */
export const MIRROR_HEADER = "x-ramp-mirrored";

export type StandIn = {
  version: string;
  url: string;
  /** Requests served (mirrored copies not included). */
  served: number;
  mirrored: number;
  close(): Promise<void>;
};

export async function startStandIn(version: string): Promise<StandIn> {
  const standIn = { version, url: "", served: 0, mirrored: 0 } as StandIn;
  const server: Server = createServer((req, res) => {
    if (req.headers[MIRROR_HEADER]) standIn.mirrored++;
    else standIn.served++;
    req.resume();
    res.writeHead(200, { "content-type": "text/plain" }).end(version);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

/** One stand-in per version (container image), e.g. { "app:1": …, "app:2": … }. */
export async function startStandIns(versions: string[]): Promise<Record<string, StandIn>> {
  const all = await Promise.all(versions.map(startStandIn));
  return Object.fromEntries(all.map((s) => [s.version, s]));
}
