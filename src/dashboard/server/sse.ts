// Server-Sent Events driven by the Informers: `snapshot` then `upsert`/`delete`, each filtered by what this
// viewer may read, a heartbeat comment every 15 s (which also re-checks the credential), no polling.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DetailEvent, OverviewEvent, RolloutSummary } from "../contract.ts";
import { ROLLOUTS } from "./authz.ts";
import { buildDetail, type DetailDeps, mayGet } from "./detail.ts";
import type { Identity } from "./identity.ts";

export const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED = 4 * 1024 * 1024;

/** One open event stream: writes are serialized, and it ends when the client goes or the credential lapses. */
class EventStream {
  readonly #res: ServerResponse;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    revalidate: () => Promise<boolean>,
    heartbeatMs: number,
  ) {
    this.#res = res;
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    const beat = setInterval(() => {
      this.run(async () => {
        if (!(await revalidate())) return this.close();
        this.#res.write(": heartbeat\n\n");
      });
    }, heartbeatMs);
    this.onClose(() => clearInterval(beat));
    req.on("close", () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(fn: () => void): void {
    this.#cleanups.push(fn);
  }

  /** Runs `task` after every earlier one, so events leave in the order the informer saw them. */
  run(task: () => Promise<void> | void): void {
    this.#queue = this.#queue
      .then(async () => {
        if (!this.#closed) await task();
      })
      .catch(() => this.close());
  }

  send(event: string, data: unknown): void {
    if (this.#closed) return;
    // A client that stopped reading is dropped rather than buffered without bound; EventSource reconnects.
    if (this.#res.writableLength > MAX_BUFFERED) this.close();
    else this.#res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#cleanups.splice(0)) fn();
    this.#res.end();
  }
}

/** The overview: Rollouts in the namespaces where the viewer may list and watch them. */
export function overviewStream(
  deps: DetailDeps,
  req: IncomingMessage,
  res: ServerResponse,
  who: Identity,
  revalidate: () => Promise<boolean>,
  heartbeatMs = HEARTBEAT_MS,
): void {
  const stream = new EventStream(req, res, revalidate, heartbeatMs);
  const mayList = async (namespace: string) => {
    const [list, watch] = await Promise.all([
      deps.authz.allowed(who, { ...ROLLOUTS, verb: "list", namespace }),
      deps.authz.allowed(who, { ...ROLLOUTS, verb: "watch", namespace }),
    ]);
    return list && watch;
  };
  // Subscribe first, so nothing between the snapshot and the first change is lost.
  stream.onClose(
    deps.store.onSummary((change) =>
      stream.run(async () => {
        const ns = change.type === "upsert" ? change.rollout.namespace : change.namespace;
        if (!(await mayList(ns))) return;
        const event: OverviewEvent =
          change.type === "upsert"
            ? { type: "upsert", rollout: change.rollout }
            : { type: "delete", namespace: change.namespace, name: change.name };
        stream.send(event.type, event);
      }),
    ),
  );
  stream.run(async () => {
    const all = deps.store.summaries();
    const namespaces = [...new Set(all.map((s) => s.namespace))];
    const allowed = new Set<string>();
    await Promise.all(namespaces.map(async (ns) => (await mayList(ns)) && allowed.add(ns)));
    const rollouts: RolloutSummary[] = all.filter((s) => allowed.has(s.namespace));
    const event: OverviewEvent = { type: "snapshot", rollouts };
    stream.send("snapshot", event);
  });
}

/** One Rollout: the caller has checked it exists and the viewer may get it. */
export function detailStream(
  deps: DetailDeps,
  req: IncomingMessage,
  res: ServerResponse,
  who: Identity,
  ref: { namespace: string; name: string },
  revalidate: () => Promise<boolean>,
  heartbeatMs = HEARTBEAT_MS,
): void {
  const stream = new EventStream(req, res, revalidate, heartbeatMs);
  const key = `${ref.namespace}/${ref.name}`;
  let last = "";
  let timer: NodeJS.Timeout | undefined;
  const push = (type: "snapshot" | "upsert") =>
    stream.run(async () => {
      // Permission can be withdrawn while the page is open: the stream ends then.
      if (!(await mayGet(deps, who, ref.namespace, ref.name))) return stream.close();
      const detail = await buildDetail(deps, who, ref.namespace, ref.name);
      if (!detail) {
        const gone: DetailEvent = { type: "delete" };
        stream.send("delete", gone);
        return stream.close();
      }
      const json = JSON.stringify(detail);
      if (json === last) return;
      last = json;
      const event: DetailEvent = { type, rollout: detail };
      stream.send(type, event);
    });
  // A burst of changes (a ReplicaSet scaling pod by pod) becomes one rebuild.
  stream.onClose(
    deps.store.onTouched((changed) => {
      if (changed !== key || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        push("upsert");
      }, 200);
    }),
  );
  stream.onClose(() => clearTimeout(timer));
  push("snapshot");
}
