// `npm audit --omit=dev` for `npm test`: fails on high or critical advisories in production dependencies,
// and skips with one line when the registry cannot be reached (offline), unless RAMP_AUDIT_REQUIRED=1.
import { execFile } from "node:child_process";

export type AuditVerdict = { outcome: "pass" | "fail" | "skip"; message: string };

type Report = {
  message?: string;
  statusCode?: number;
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, { severity?: string; via?: unknown[] }>;
};

const SEVERE = new Set(["high", "critical"]);
// What npm's fetch says when no answer came back at all (DNS, refused, reset, timed out, TLS).
const NETWORK =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENETDOWN|network timeout|socket hang up|certificate|SSL/i;

/** Judges `npm audit --json` output (exit codes alone cannot tell advisories from a failed request). */
export function judgeAudit(stdout: string): AuditVerdict {
  let report: Report;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    return { outcome: "fail", message: `npm audit failed: its output is not JSON: ${stdout.slice(0, 200)}` };
  }
  const counts = report.metadata?.vulnerabilities;
  if (counts) {
    const severe = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) =>
      SEVERE.has(v.severity ?? ""),
    );
    const summary = Object.entries(counts)
      .filter(([k, n]) => k !== "total" && n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ");
    if (severe.length === 0)
      return { outcome: "pass", message: `npm audit: no high or critical advisories (${summary || "none"})` };
    const lines = severe.map(([name, v]) => `  ${name} (${v.severity}): ${titles(v.via).join("; ")}`);
    return {
      outcome: "fail",
      message: `npm audit: high or critical advisories in production dependencies:\n${lines.join("\n")}\nRun \`npm audit --omit=dev\` for fixes.`,
    };
  }
  const why = (report.message ?? "").replace(/^request to \S+ failed, reason: /, "");
  if (typeof report.statusCode === "number" || /^\d{3} /.test(why))
    return { outcome: "skip", message: `npm audit skipped: registry cannot audit (${why})` };
  if (NETWORK.test(why))
    return { outcome: "skip", message: `npm audit skipped: registry unreachable (${why})` };
  return { outcome: "fail", message: `npm audit failed: ${why || stdout.slice(0, 200)}` };
}

function titles(via: unknown[] | undefined): string[] {
  // `via` holds advisories (objects) or the names of vulnerable dependencies it comes through (strings).
  return (via ?? []).map((v) =>
    typeof v === "string"
      ? `via ${v}`
      : `${(v as { title?: string }).title ?? "advisory"} ${(v as { url?: string }).url ?? ""}`.trim(),
  );
}

function runAudit(): Promise<{ stdout: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["audit", "--omit=dev", "--json", "--fetch-retries=1", "--fetch-timeout=30000"],
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => resolve({ stdout, timedOut: (err as { killed?: boolean } | null)?.killed === true }),
    );
  });
}

if (import.meta.main) {
  const { stdout, timedOut } = await runAudit();
  const verdict: AuditVerdict = timedOut
    ? { outcome: "skip", message: "npm audit skipped: registry unreachable (no answer within 120 s)" }
    : judgeAudit(stdout);
  const required = process.env.RAMP_AUDIT_REQUIRED === "1";
  if (verdict.outcome === "pass" || (verdict.outcome === "skip" && !required)) console.log(verdict.message);
  else {
    console.error(
      verdict.outcome === "skip" ? `${verdict.message} (RAMP_AUDIT_REQUIRED=1)` : verdict.message,
    );
    process.exitCode = 1;
  }
}
