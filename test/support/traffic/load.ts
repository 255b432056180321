// Steady background requests through a gateway for as long as a test runs, so every answer across weight
// changes and switches is counted: nothing may fail in between measurements either.
import type { Traefik } from "../../../dev/traefik.ts";

export type LoadResult = {
  sent: number;
  byVersion: Record<string, number>;
  /** Answers that were not 200 (status 0: no answer), with when they came. */
  failures: { at: number; status: number; body: string }[];
};

export class Load {
  readonly result: LoadResult = { sent: 0, byVersion: {}, failures: [] };
  #running = true;
  readonly #workers: Promise<void>[];

  /** `concurrency` requests in flight at a time, each worker pausing `pauseMs` between requests. */
  constructor(
    traefik: Traefik,
    opts: { host: string; concurrency?: number; pauseMs?: number; max?: number },
  ) {
    const max = opts.max ?? 200_000;
    const worker = async () => {
      while (this.#running && this.result.sent < max) {
        this.result.sent++;
        const { status, body } = await traefik.send({ host: opts.host });
        if (status === 200) this.result.byVersion[body] = (this.result.byVersion[body] ?? 0) + 1;
        else this.result.failures.push({ at: Date.now(), status, body: body.slice(0, 200) });
        if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
      }
    };
    this.#workers = Array.from({ length: opts.concurrency ?? 4 }, worker);
  }

  async stop(): Promise<LoadResult> {
    this.#running = false;
    await Promise.all(this.#workers);
    return this.result;
  }
}
