// Starts the dashboard server over FakeClients on 127.0.0.1 and speaks raw HTTP to it (exact headers, no
// fetch niceties), plus an SSE reader.
import { type IncomingHttpHeaders, request } from "node:http";
import { Writable } from "node:stream";
import { gunzipSync } from "node:zlib";
import type { KubernetesObject } from "@kubernetes/client-node";
import { startDashboardServer } from "../../../src/dashboard/server/index.ts";
import { createLogger } from "../../../src/observability/log.ts";
import { FakeClients } from "./fake-clients.ts";

export const ROLLOUTS = "/apis/ramp.dev/v1alpha1/rollouts";
export const REPLICASETS = "/apis/apps/v1/replicasets";
export const RUNS = "/apis/ramp.dev/v1alpha1/analysisruns";

export function rollout(
  namespace: string,
  name: string,
  status: Record<string, unknown> = {},
): KubernetesObject {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { namespace, name, resourceVersion: "1", creationTimestamp: "2026-12-07T10:00:00Z" } as never,
    spec: {
      template: { spec: { containers: [{ name: "app", image: "app:2" }] } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: "30s" } }, { setWeight: 50 }] } },
    },
    status: {
      phase: "Progressing",
      currentPodHash: "h2",
      stableRS: "h1",
      currentStepIndex: 1,
      stepCount: 3,
      canary: { weight: 20 },
      machine: { version: "canary/v1", value: "Stepping", context: {} },
      ...status,
    },
  } as KubernetesObject;
}

export type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

export function call(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: opts.method ?? "GET",
        headers: { ...(payload ? { "Content-Type": "application/json" } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const body = res.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString("utf8") });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Opens an event stream; `next()` resolves with the next event (name and parsed data). */
export function openStream(base: string, path: string, headers: Record<string, string>) {
  const queue: { event: string; data: unknown }[] = [];
  const waiters: ((e: { event: string; data: unknown }) => void)[] = [];
  let answer: IncomingHttpHeaders = {};
  let statusCode = 0;
  let buffered = "";
  let stop = () => {};
  let markEnded = () => {};
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  const opened = new Promise<void>((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      answer = res.headers;
      statusCode = res.statusCode ?? 0;
      resolve();
      res.setEncoding("utf8");
      res.on("end", () => markEnded());
      res.on("close", () => markEnded());
      res.on("data", (chunk: string) => {
        buffered += chunk;
        let end = buffered.indexOf("\n\n");
        while (end >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) {
            const e = { event, data: JSON.parse(data) as unknown };
            const w = waiters.shift();
            if (w) w(e);
            else queue.push(e);
          }
          end = buffered.indexOf("\n\n");
        }
      });
    });
    req.on("error", reject);
    req.end();
    stop = () => req.destroy();
  });
  return {
    opened,
    /** Resolves when the server ends the stream. */
    ended,
    get headers() {
      return answer;
    },
    get status() {
      return statusCode;
    },
    next(): Promise<{ event: string; data: unknown }> {
      const e = queue.shift();
      if (e) return Promise.resolve(e);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("no event within 3 s")), 3000);
        waiters.push((x) => {
          clearTimeout(t);
          resolve(x);
        });
      });
    },
    close: () => stop(),
  };
}

export const ASSET_JS = Buffer.from(`console.log(${JSON.stringify("x".repeat(4000))});`);

/** A dashboard on a free port over FakeClients, with its log lines collected. */
export async function startTestServer(
  mode: "local" | "cluster",
  setup: (fake: FakeClients) => void = () => {},
  extra: { authHeader?: string; namespace?: string } = {},
) {
  const fake = new FakeClients();
  fake.set(ROLLOUTS, []);
  fake.set(REPLICASETS, []);
  fake.set(RUNS, []);
  setup(fake);
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n"))
        if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({ level: "info", destination });
  const localToken = "one-time-token-0123456789abcdef";
  const server = await startDashboardServer({
    mode,
    host: "127.0.0.1",
    port: 0,
    clients: fake,
    log,
    assets: {
      index: '<!doctype html><script type="module" src="/assets/app-1234.js"></script>',
      files: new Map([["app-1234.js", { body: ASSET_JS, type: "text/javascript; charset=utf-8" }]]),
    },
    heartbeatMs: 50,
    ...(mode === "local" ? { localToken } : {}),
    ...extra,
  });
  return { fake, lines, server, url: server.url, localToken };
}
