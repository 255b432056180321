// Text helpers for the plugin's output: kubectl-style ages and tables, and colors that can be off.

/** Colors for a terminal; every function is the identity when color is off. */
export type Paint = {
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
};

const sgr = (code: string) => (s: string) => (s === "" ? s : `\x1b[${code}m${s}\x1b[0m`);
const same = (s: string) => s;

export const plain: Paint = { ok: same, warn: same, bad: same, dim: same, bold: same };
export const colored: Paint = {
  ok: sgr("32"),
  warn: sgr("33"),
  bad: sgr("31"),
  dim: sgr("2"),
  bold: sgr("1"),
};

/** Color only on a terminal, and never with NO_COLOR (any non-empty value) or --no-color. */
export function useColor(opts: { isTTY: boolean; noColorFlag: boolean; env: NodeJS.ProcessEnv }): boolean {
  return opts.isTTY && !opts.noColorFlag && !opts.env.NO_COLOR;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
export const visibleLength = (s: string): number => [...s.replace(ANSI, "")].length;

/** kubectl's age format (apimachinery's HumanDuration): 45s, 5m3s, 45m, 3h5m, 30h, 3d5h, 30d, 2y10d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

/** Age of an object created at `created` (a Date or RFC 3339 text); "<unknown>" without one. */
export function age(created: Date | string | undefined, now: number): string {
  if (created === undefined) return "<unknown>";
  const t = new Date(created).getTime();
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

/** Columns left-aligned and three spaces apart, as kubectl prints them; trailing spaces trimmed. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  return rows.map((row) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell) + 3),
      )
      .join("")
      .trimEnd(),
  );
}

/** An exact duration as the specs write them: 1h30m, 4m, 45s, 500ms (humanDuration rounds; a plan must not). */
export function exactDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const ms = Math.round(seconds * 1000);
  const parts: [number, string][] = [
    [Math.floor(ms / 3_600_000), "h"],
    [Math.floor(ms / 60_000) % 60, "m"],
    [Math.floor(ms / 1000) % 60, "s"],
    [ms % 1000, "ms"],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join("");
}
