// A scrape of the controller's /metrics, parsed from Prometheus' text format, and promtool's lint of it.
import { spawnSync } from "node:child_process";
import { promtoolPath } from "./prometheus.ts";

export type Sample = { name: string; labels: Record<string, string>; value: number };

export type Scrape = {
  text: string;
  samples: Sample[];
  /** Every metric family named by a # TYPE line (prom-client prints them even with no series yet). */
  families: Map<string, string>;
  /** The samples of `name` whose labels include every pair of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The one sample of `name` with exactly these labels among those given; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
};

const unescapeLabel = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));

export function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const families = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1] ?? "", type[2] ?? "");
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] ?? ""] = unescapeLabel(l[2] ?? "");
    const raw = m[4] ?? "";
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    samples.push({ name: m[1] ?? "", labels, value });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    text,
    samples,
    families,
    find,
    value(name, labels = {}) {
      const hits = find(name, labels);
      if (hits.length > 1)
        throw new Error(
          `${name}${JSON.stringify(labels)} matches ${hits.length} series: ${JSON.stringify(hits)}`,
        );
      return hits[0]?.value;
    },
  };
}

export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return parseExposition(await res.text());
}

/** `promtool check metrics` on an exposition: its findings, empty when it passes. */
export function promtoolCheckMetrics(text: string): { code: number | null; output: string } {
  const res = spawnSync(promtoolPath(), ["check", "metrics"], { input: text, encoding: "utf8" });
  return { code: res.status, output: `${res.stdout}${res.stderr}` };
}
