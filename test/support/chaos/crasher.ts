// The controller as a crashing pod: started, SIGKILLed on a schedule and started again, with every exit
// nobody asked for kept as a finding (a controller that dies by itself is a bug, not more chaos).
import { setTimeout as sleep } from "node:timers/promises";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { waitFor } from "../../../dev/kube.ts";
import type { Fixture } from "../e2e/fixture.ts";
import type { Kill } from "./plan.ts";

export class Crasher {
  /** When each SIGKILL was sent (epoch ms). */
  readonly killedAt: number[] = [];
  readonly unexpectedExits: string[] = [];
  readonly #f: Fixture;
  readonly #told = new Set<number>();
  #current: ControllerProcess | undefined;

  constructor(f: Fixture) {
    this.#f = f;
  }

  /** Starts a controller and waits until it is ready (caches synced): from then on it reconciles. */
  async start(): Promise<void> {
    const c = await this.#f.startController();
    void c.exited.then((code) => {
      if (!this.#told.has(c.pid))
        this.unexpectedExits.push(`pid ${c.pid} exited with ${code} (log ${c.logFile})`);
    });
    this.#current = c;
    await waitFor(async () => (await fetch(`${c.healthUrl}/readyz`)).ok, {
      what: `controller ${c.pid} ready (log ${c.logFile})`,
      timeoutMs: 60_000,
      intervalMs: 50,
    });
  }

  /** For each kill: wait once ready, call `before` (a look at the cluster), SIGKILL, stay down, start again. */
  async run(kills: Kill[], before: () => Promise<void>): Promise<void> {
    for (const kill of kills) {
      await sleep(kill.afterMs);
      await before();
      const c = this.#current;
      if (c) {
        this.#told.add(c.pid);
        this.killedAt.push(Date.now());
        await c.kill();
      }
      await sleep(kill.downMs);
      await this.start();
    }
  }

  /** A graceful stop (SIGTERM): nothing is written after it returns. */
  async stop(): Promise<void> {
    const c = this.#current;
    if (!c) return;
    this.#told.add(c.pid);
    await c.stop();
  }
}
