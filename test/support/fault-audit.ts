// Reads a FaultProxy's log the way an auditor would: what was faulted, whether each Retry-After was
// waited out before the request came again, and who wrote when.
import type { FaultKind, LoggedRequest } from "./fault-proxy.ts";

export interface FaultFigures {
  requests: number;
  writes: number;
  watches: number;
  /** Answers the proxy made up, by kind. */
  faulted: Record<FaultKind, number>;
  /** Watches the proxy cut. */
  cut: number;
  /** Requests per client. */
  byClient: Record<string, number>;
  /** Writes by verb and resource, e.g. "patch rollouts/status". */
  writesBy: Record<string, number>;
}

export function faultFigures(log: readonly LoggedRequest[]): FaultFigures {
  const faulted: Record<FaultKind, number> = { "429": 0, "500": 0, "503": 0, "409": 0, "504": 0 };
  const byClient: Record<string, number> = {};
  const writesBy: Record<string, number> = {};
  for (const r of log) {
    if (r.fault) faulted[r.fault]++;
    byClient[r.client] = (byClient[r.client] ?? 0) + 1;
    const what = `${r.verb} ${r.resource}`;
    if (r.write) writesBy[what] = (writesBy[what] ?? 0) + 1;
  }
  return {
    requests: log.length,
    writes: log.filter((r) => r.write).length,
    watches: log.filter((r) => r.verb === "watch").length,
    faulted,
    cut: log.filter((r) => r.cut).length,
    byClient,
    writesBy,
  };
}

/** A Retry-After answer and the next request with the same client, method, URL and body (its retry). */
export interface RetryPair {
  fault: LoggedRequest;
  retry: LoggedRequest | undefined;
  /** From the faulted answer leaving the proxy to the retry arriving. */
  gapMs: number | undefined;
  askedMs: number;
}

export function retryPairs(log: readonly LoggedRequest[]): RetryPair[] {
  const sameRequest = (a: LoggedRequest, b: LoggedRequest) =>
    a.client === b.client && a.method === b.method && a.url === b.url && a.bodyDigest === b.bodyDigest;
  return log
    .filter((r) => r.retryAfterSeconds !== undefined)
    .map((fault) => {
      const retry = log.find((r) => r.seq > fault.seq && sameRequest(r, fault));
      const gapMs = retry ? retry.at - (fault.respondedAt ?? fault.at) : undefined;
      return { fault, retry, gapMs, askedMs: (fault.retryAfterSeconds ?? 0) * 1000 };
    });
}

/** A stretch of consecutive writes (by arrival) from one client. */
export interface WriterRun {
  client: string;
  count: number;
  firstAt: number;
  /** When the run's last answer ended (or the connection closed): nothing of it can land later. */
  lastEndedAt: number;
}

/** Folds the writes `audited` selects, in arrival order, into runs of one client each. */
export function writerRuns(
  log: readonly LoggedRequest[],
  audited: (r: LoggedRequest) => boolean = (r) => r.write,
): WriterRun[] {
  const runs: WriterRun[] = [];
  for (const r of log.filter((x) => x.write && audited(x)).sort((a, b) => a.at - b.at)) {
    const ended = r.endedAt ?? r.respondedAt ?? Number.POSITIVE_INFINITY;
    const last = runs.at(-1);
    if (last?.client === r.client) {
      last.count++;
      last.lastEndedAt = Math.max(last.lastEndedAt, ended);
    } else runs.push({ client: r.client, count: 1, firstAt: r.at, lastEndedAt: ended });
  }
  return runs;
}
