// Small conversions shared by the Flagger converter: Go durations, and names ramp accepts.

const GO_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration ("1m", "1m30s", "1.5h", "500ms"), or undefined when it is not one. */
export function goDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (!/^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(n) * (GO_UNIT_MS[unit ?? "s"] ?? 0);
  return Math.round(total);
}

/** A duration as ramp and PromQL both read it: "1h", "5m", "90s", "1m30s", "500ms". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}

/** A metric name ramp accepts (letters, digits, `-_.`, starting and ending alphanumeric). */
export function metricName(name: string, fallback: string): string {
  const clean = name
    .replace(/[^-_.a-zA-Z0-9]+/g, "-")
    .replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, "")
    .slice(0, 128);
  return clean || fallback;
}

/** A number as a CEL double literal: 99 → "99.0", 0.5 → "0.5". */
export const celDouble = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n));

/** Adds a name to a list, suffixing -2, -3… when it is taken. */
export function uniqueName(taken: Set<string>, name: string): string {
  let out = name;
  for (let i = 2; taken.has(out); i++) out = `${name}-${i}`;
  taken.add(out);
  return out;
}
