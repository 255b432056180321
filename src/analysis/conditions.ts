// Evaluates success/failure conditions off the main thread, with a time bound per evaluation.
import { extname } from "node:path";
import { Worker } from "node:worker_threads";
import { compileCel } from "../cel/index.ts";
import type { Value } from "./assess.ts";

type Pending = { resolve: (v: boolean) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout };

/** Throws a CelError with the position when an expression does not parse or type-check. */
export function checkCondition(expression: string): void {
  compileCel(expression, { result: "dyn" });
}

export class ConditionEvaluator {
  readonly #timeoutMs: number;
  #worker: Worker | undefined;
  /** Resolves once the thread has loaded: starting it costs more than the bound, so it never counts. */
  #ready: Promise<void> | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();
  readonly #idleStopMs: number | undefined;
  #idle: NodeJS.Timeout | undefined;

  /** `idleStopMs`: end the thread (about 15 MiB resident) after this long without an evaluation. */
  constructor(opts: { timeoutMs?: number; idleStopMs?: number } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 250;
    this.#idleStopMs = opts.idleStopMs;
  }

  /** True or false; rejects when the expression fails, returns a non-boolean, or runs past the bound. */
  async evaluate(expression: string, value: Value): Promise<boolean> {
    clearTimeout(this.#idle);
    try {
      return await this.#evaluate(expression, value);
    } finally {
      this.#stopWhenIdle();
    }
  }

  async #evaluate(expression: string, value: Value): Promise<boolean> {
    const worker = this.#ensureWorker();
    await this.#ready;
    const id = this.#nextId++;
    return new Promise<boolean>((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      pending.timer = setTimeout(() => {
        // The only way to stop a runaway evaluation: end the thread; the next call starts a fresh one.
        this.#pending.delete(id);
        void this.#restart(new Error("condition evaluation was cut off"));
        reject(new Error(`condition "${expression}" took longer than ${this.#timeoutMs}ms and was stopped`));
      }, this.#timeoutMs);
      this.#pending.set(id, pending);
      worker.postMessage({ id, expression, value });
    });
  }

  /** Starts the thread ahead of the first evaluation. */
  async warm(): Promise<void> {
    this.#ensureWorker();
    await this.#ready;
    this.#stopWhenIdle();
  }

  async close(): Promise<void> {
    clearTimeout(this.#idle);
    await this.#restart(new Error("evaluator closed"));
  }

  #stopWhenIdle(): void {
    if (this.#idleStopMs === undefined || this.#pending.size > 0) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (this.#pending.size === 0) void this.#restart(new Error("the condition thread was idle"));
    }, this.#idleStopMs);
    this.#idle.unref();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    // Beside this module: .ts when run from source, .js in the built image (dist/).
    const worker = new Worker(new URL(`./condition-worker${extname(import.meta.url)}`, import.meta.url));
    worker.unref();
    this.#ready = new Promise((resolve) => {
      const onReady = (msg: { ready?: boolean }) => {
        if (!msg.ready) return;
        worker.off("message", onReady);
        resolve();
      };
      worker.on("message", onReady);
      worker.once("error", () => resolve());
    });
    worker.on("message", (msg: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (!msg.ok) p.reject(new Error(msg.error ?? "evaluation failed"));
      else if (typeof msg.result !== "boolean")
        p.reject(new Error(`a condition must be true or false, got ${JSON.stringify(msg.result)}`));
      else p.resolve(msg.result);
    });
    worker.on("error", (err) => void this.#restart(err));
    this.#worker = worker;
    return worker;
  }

  async #restart(reason: Error): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(reason);
      this.#pending.delete(id);
    }
    await worker?.terminate();
  }
}
