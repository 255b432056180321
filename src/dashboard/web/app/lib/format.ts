// Times as the pages show them: ages like kubectl's, countdowns for timed pauses. Pure, so tested in Node.

/** Whole seconds between an RFC 3339 time and `now` (ms); never negative (clocks drift a little). */
export function secondsSince(iso: string, now: number): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.floor((now - t) / 1000));
}

/** A duration the way kubectl prints ages: 45s, 3m12s, 2h5m, 4d3h, 40d. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.floor(total));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  if (d < 10 && h % 24 !== 0) return `${d}d${h % 24}h`;
  return `${d}d`;
}

/** The age of an object created at `iso`, or "?" when the time is unreadable. */
export function formatAge(iso: string, now: number): string {
  if (Number.isNaN(Date.parse(iso))) return "?";
  return formatSeconds(secondsSince(iso, now));
}

/** What is left of a timed pause ending at `iso`: "1m05s left", or "ending" once it is due. */
export function formatRemaining(iso: string, now: number): string {
  const end = Date.parse(iso);
  if (Number.isNaN(end)) return "";
  const left = Math.ceil((end - now) / 1000);
  if (left <= 0) return "ending";
  const m = Math.floor(left / 60);
  const s = left % 60;
  return m > 0 ? `${m}m${String(s).padStart(2, "0")}s left` : `${s}s left`;
}
