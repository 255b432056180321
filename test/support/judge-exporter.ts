// A metrics endpoint whose series the test shapes: each series is a gauge drawn afresh at every scrape
// from a log-normal distribution the test sets (median and spread), so a real Prometheus scraping it
// holds per-version samples with known distributions for the judge to compare.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { seeded } from "./chaos/plan.ts";

export type Distribution = { median: number; sigma: number };

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/["\\]/g, "\\$&")}"`)
    .join(",");

export class JudgeExporter {
  readonly #series = new Map<string, { name: string; labels: Record<string, string>; d: Distribution }>();
  readonly #random: () => number;
  readonly #server: Server;
  /** host:port, for a scrape config's static target. */
  target = "";

  private constructor(seed: number) {
    // In (0, 1]: Box-Muller takes its logarithm.
    const next = seeded(seed).next;
    this.#random = () => 1 - next();
    this.#server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(this.render());
    });
  }

  static async start(seed = 20261208): Promise<JudgeExporter> {
    const e = new JudgeExporter(seed);
    await new Promise<void>((resolve) => e.#server.listen(0, "127.0.0.1", resolve));
    e.target = `127.0.0.1:${(e.#server.address() as AddressInfo).port}`;
    return e;
  }

  /** Serves `name{labels}` drawn from `d` from the next scrape on. */
  set(name: string, labels: Record<string, string>, d: Distribution): void {
    this.#series.set(`${name}{${labelText(labels)}}`, { name, labels, d });
  }

  /** Stops serving `name{labels}`: Prometheus marks it stale at its next scrape. */
  remove(name: string, labels: Record<string, string>): void {
    this.#series.delete(`${name}{${labelText(labels)}}`);
  }

  /** One scrape: a fresh log-normal draw per series (Box-Muller on two uniforms). */
  render(): string {
    const lines: string[] = [];
    const typed = new Set<string>();
    // The exposition format wants every series of one name together, under its TYPE line.
    const sorted = [...this.#series].sort(([, a], [, b]) => a.name.localeCompare(b.name));
    for (const [key, s] of sorted) {
      if (!typed.has(s.name)) lines.push(`# TYPE ${s.name} gauge`);
      typed.add(s.name);
      const z = Math.sqrt(-2 * Math.log(this.#random())) * Math.cos(2 * Math.PI * this.#random());
      lines.push(`${key} ${s.d.median * Math.exp(s.d.sigma * z)}`);
    }
    return `${lines.join("\n")}\n`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
