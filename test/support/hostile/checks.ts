// The hostile-specs test's side of the cluster: which accepted specs it creates and under which names, what
// an apiserver verdict says, whether a Rollout's status is current and why it is Degraded, and the
// controller log's warning signs. The specs themselves come from arbitraries.ts.
import { ApiException } from "@kubernetes/client-node";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { ERROR_CODES } from "../../../src/errors.ts";
import type { Candidate, Doc, Json } from "./arbitraries.ts";

export type Verdict = { accepted: true } | { accepted: false; code: number; message: string };

/** Fields a rejection may name: the apiserver prefixes each error with its path (Go decoding errors say ObjectMeta.name). */
export const NAMES_A_FIELD = /\b(spec|metadata|ObjectMeta)(\.|\[|:| in body|\b)/;
/** The reasons whose message must name the spec field to correct (runtime reasons name a metric or pod). */
export const SPEC_REASONS = new Set([
  "InvalidSpec",
  "SelectorMismatch",
  "ServiceNotFound",
  "AnalysisTemplateNotFound",
  "RouteNotFound",
  "RouteRuleNotFound",
  "ServiceNotInRoute",
  "RouterNotInstalled",
  "RouterUnsupported",
  "ReplicaSetRejected",
]);
/** The phases a Rollout may settle in. */
export const SANE_PHASES = ["Healthy", "Progressing", "Paused", "Degraded"];

/** An apiserver refusal as a verdict; anything else is rethrown. */
export function rejection(err: unknown): Verdict {
  if (!(err instanceof ApiException)) throw err;
  let message = String(err.body);
  try {
    message = (JSON.parse(String(err.body)) as { message?: string }).message ?? message;
  } catch {}
  return { accepted: false, code: err.code, message };
}

/** The first field path a rejection names, for the summary. */
export function namedField(message: string): string {
  return /\b((?:spec|metadata|ObjectMeta)[\w.[\]]*)/.exec(message)?.[1] ?? "?";
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function concurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

export function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The counts, largest first. */
export function ranked(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]);
}

// ---- Which accepted specs run ----

/** Every numeric replica count small, so no sample asks the cluster for a million pods. */
function safeToCreate(doc: Json, key = ""): boolean {
  if (typeof doc === "number") return !/replicas|previewReplicaCount/i.test(key) || doc <= 5;
  if (Array.isArray(doc)) return doc.every((v) => safeToCreate(v, key));
  if (doc !== null && typeof doc === "object")
    return Object.entries(doc).every(([k, v]) => safeToCreate(v, k));
  return true;
}

/** A spread of accepted Rollouts: the pinned ones, each new tag set, then the rest; no huge replica counts. */
export function spread(pinned: Candidate[], accepted: Candidate[], size: number): Candidate[] {
  const seen = new Set<string>();
  const fresh = accepted.filter((c) => {
    const key = [...c.tags].sort().join(",");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return [...pinned, ...fresh, ...accepted.filter((c) => !fresh.includes(c))]
    .filter((c) => safeToCreate(c.doc))
    .slice(0, size);
}

/** The doc with every web-prefixed name (Services, labels, template) and its own name made `name`. */
export function renamed(doc: Doc, name: string): Doc {
  const copy = JSON.parse(JSON.stringify(doc).replace(/\bweb(?=[-"])/g, name)) as Doc;
  (copy.metadata as Doc).name = name;
  return copy;
}

// ---- Rollout status ----

export type Settling = { status?: RolloutStatus; current: boolean };
export type RolloutItem = { metadata: { name: string; generation?: number }; status?: RolloutStatus };

/** Each Rollout's status, and whether it answers the newest spec (observed it and has a phase). */
export function settling(items: RolloutItem[]): Map<string, Settling> {
  return new Map(
    items.map((r) => [
      r.metadata.name,
      {
        ...(r.status ? { status: r.status } : {}),
        current: (r.status?.observedGeneration ?? -1) >= (r.metadata.generation ?? 0) && !!r.status?.phase,
      },
    ]),
  );
}

/** Why a Degraded Rollout is Degraded: the abort, or else a failing or Stalled condition with a coded reason. */
export function degradedBy(s: RolloutStatus): { reason: string | undefined; message: string } {
  const bad = (s.conditions ?? []).filter((c) => c.status === "False" || c.type === "Stalled");
  const reason = s.abort?.reason ?? bad.find((c) => c.reason in ERROR_CODES)?.reason;
  const message = s.abort?.message ?? bad.find((c) => c.reason === reason)?.message ?? "";
  return { reason, message };
}

// ---- Controller log ----

/** Lines that show a crash or a programming error. */
export function fatalLines(log: string[]): string[] {
  return log.filter((l) =>
    /"level":"fatal"|uncaught|unhandled|\b(Type|Range|Reference|Syntax)Error\b/i.test(l),
  );
}

/** The Rollout logged most often: a hot loop (e.g. a timer that fires at once) shows as one key without end. */
export function busiestRollout(log: string[]): [string, number] {
  const perKey = new Map<string, number>();
  for (const l of log) {
    const key = /"key":"[^"/]+\/([^"]+)"/.exec(l)?.[1];
    if (key) tally(perKey, key);
  }
  return ranked(perKey)[0] ?? ["none", 0];
}
