// Parses the durations ramp accepts ("30s", "1h30m", 45) into milliseconds.
import { DURATION_RE } from "./meta.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const whole = new RegExp(DURATION_RE);

/** Milliseconds for a duration; throws a message naming `field` when it is malformed. */
export function parseDuration(value: number | string, field: string): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${field}: ${value} is not whole seconds >= 0`);
    return value * 1000;
  }
  if (/^[0-9]+$/.test(value)) return Number(value) * 1000;
  if (!whole.test(value))
    throw new Error(`${field}: "${value}" is not a duration such as "30s", "5m", "1h30m"`);
  let total = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]+)(ms|s|m|h)/g))
    total += Number(n) * (UNIT_MS[unit ?? "s"] ?? 0);
  return total;
}
