// Samples processes from /proc (resident memory, CPU seconds) and the controller's own /metrics (JS heap,
// API requests by verb and resource), so each figure is the controller's alone.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type Scrape, scrape } from "../../dev/scrape.ts";

const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

export type ProcReading = { rssBytes: number; peakRssBytes: number; cpuSeconds: number };

/** RSS and peak RSS (VmHWM) from /proc/PID/status, user+system CPU from /proc/PID/stat. */
export function readProc(pid: number): ProcReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at index 2 (state).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
    return { rssBytes: kb("VmRSS"), peakRssBytes: kb("VmHWM"), cpuSeconds: cpu };
  } catch {
    return undefined;
  }
}

export type Sample = { at: number; rssBytes: number; heapUsedBytes?: number };

/** `verb resource` → count of the controller's API requests so far (all response codes). */
export type RequestCounts = Record<string, number>;

export function requestCounts(scraped: Scrape): RequestCounts {
  const counts: RequestCounts = {};
  for (const s of scraped.find("ramp_kube_api_requests_total")) {
    const key = `${s.labels.verb} ${s.labels.resource}`;
    counts[key] = (counts[key] ?? 0) + s.value;
  }
  return counts;
}

export function diffCounts(after: RequestCounts, before: RequestCounts): RequestCounts {
  const out: RequestCounts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

const WRITES = new Set(["create", "update", "patch", "delete", "deletecollection"]);
export const isWrite = (key: string): boolean => WRITES.has(key.split(" ")[0] ?? "");
export const isRead = (key: string): boolean => ["get", "list"].includes(key.split(" ")[0] ?? "");

/** Samples the controller every `intervalMs`: RSS from /proc, heap from its /metrics (every 5th sample). */
export class ControllerSampler {
  readonly samples: Sample[] = [];
  readonly #pid: number;
  /** Undefined: RSS only (the peer bench scrapes both controllers' /metrics alike, per pass only). */
  readonly #metricsUrl: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #n = 0;
  #heap: number | undefined;

  constructor(pid: number, metricsUrl: string | undefined) {
    this.#pid = pid;
    this.#metricsUrl = metricsUrl;
  }

  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => void this.#sample(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #sample(): Promise<void> {
    const p = readProc(this.#pid);
    if (!p) return;
    if (this.#metricsUrl !== undefined && this.#n++ % 5 === 0) {
      try {
        this.#heap = (await scrape(this.#metricsUrl)).value("nodejs_heap_size_used_bytes");
      } catch {
        // A busy controller may answer late; the next sample tries again.
      }
    }
    this.samples.push({
      at: Date.now(),
      rssBytes: p.rssBytes,
      ...(this.#heap ? { heapUsedBytes: this.#heap } : {}),
    });
  }

  /** Samples taken in [from, to]. */
  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }
}
