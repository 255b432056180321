// Shared by the deliver*.test.ts files: loopback servers, a Deliveries with small timings, metric reads.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Registry } from "prom-client";
import { type Guard, resolveAll } from "../../../src/analysis/providers/guarded-http.ts";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import {
  Deliveries,
  type DeliveriesOptions,
  type Job,
  notifyMetrics,
  type Outcome,
} from "../../../src/notify/deliver/index.ts";
import { createLogger } from "../../../src/observability/log.ts";

export type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;
export type Loopback = {
  url: string;
  hits: { path: string; body: string; headers: IncomingMessage["headers"] }[];
  close(): void;
};

/** A node:http server on 127.0.0.1, a free port; records every request it is sent. */
export async function loopback(handler: Handler): Promise<Loopback> {
  const hits: Loopback["hits"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      hits.push({ path: req.url ?? "/", body, headers: req.headers });
      handler(Object.assign(req, { body }), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<string> {
  const s = await loopback(() => undefined);
  s.close();
  return s.url;
}

/** Loopback allowed over a deny of all 127/8 (the allow is the more specific entry); defaults otherwise. */
export const guard = (resolve = resolveAll): Guard => ({
  policy: webPolicy({ deny: ["127.0.0.0/8"], allow: ["127.0.0.1"] }),
  resolve,
  subject: (u) => u.href,
});

export type Rig = {
  d: Deliveries;
  registry: Registry;
  /** Every JSON line the deliveries logged (level debug and up). */
  logs: string[];
  /** The ms each backoff sleep was asked for. */
  sleeps: number[];
  /** The sum of `name`'s series whose labels include `labels`. */
  count(name: string, labels: Record<string, string>): Promise<number>;
};

/** Deliveries with quick timings (overridable), a fresh registry and a captured logger. */
export function rig(opts: Partial<DeliveriesOptions> = {}): Rig {
  const registry = new Registry();
  const logs: string[] = [];
  const sleeps: number[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString("utf8"));
      cb();
    },
  });
  const d = new Deliveries({
    guard: guard(),
    metrics: notifyMetrics(registry),
    log: createLogger({ level: "debug", destination }),
    attemptTimeoutMs: 2000,
    giveUpAfterMs: 5000,
    backoff: { initialMs: 10, maxMs: 40 },
    ...opts,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      await (opts.sleep ?? ((n: number) => new Promise((r) => setTimeout(r, Math.min(n, 50)))))(ms, signal);
    },
  });
  const count = async (name: string, labels: Record<string, string>) => {
    const m = await registry.getSingleMetric(name)?.get();
    return (m?.values ?? [])
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .reduce((a, v) => a + v.value, 0);
  };
  return { d, registry, logs, sleeps, count };
}

/** A job posting `body` to `url`; `extra` adds headers or a check. */
export function job(
  id: string,
  destination: string,
  url: string,
  extra: Partial<
    Parameters<Job["prepare"]> extends []
      ? { headers: Record<string, string>; check: (s: number, b: string) => string | undefined }
      : never
  > = {},
): Job {
  return {
    id,
    destination,
    event: "paused",
    prepare: async () => ({
      url,
      headers: { "content-type": "application/json", ...(extra.headers ?? {}) },
      body: JSON.stringify({ id }),
      ...(extra.check ? { check: extra.check } : {}),
    }),
  };
}

/** Enqueues `j` and resolves with its outcome (and when it came). */
export function deliver(d: Deliveries, j: Job): Promise<Outcome & { at: number }> {
  return new Promise((resolve, reject) => {
    if (!d.enqueue(j, (o) => resolve({ ...o, at: Date.now() }))) reject(new Error(`${j.id} not queued`));
  });
}
