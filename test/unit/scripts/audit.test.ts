// scripts/audit.ts: advisories fail `npm test`; an unreachable registry is one line and no failure.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, test } from "node:test";
import { judgeAudit } from "../../../scripts/audit.ts";

const script = join(import.meta.dirname, "..", "..", "..", "scripts", "audit.ts");
const report = (vulnerabilities: Record<string, unknown>, counts: Record<string, number>) =>
  JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: counts } });

describe("judgeAudit", () => {
  test("no advisories passes", () => {
    const v = judgeAudit(report({}, { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 }));
    assert.deepEqual(v, { outcome: "pass", message: "npm audit: no high or critical advisories (none)" });
  });
  test("low and moderate advisories pass, and are counted", () => {
    const v = judgeAudit(report({ a: { severity: "moderate", via: [] } }, { moderate: 1, total: 1 }));
    assert.equal(v.outcome, "pass");
    assert.match(v.message, /1 moderate/);
  });
  test("a high or critical advisory fails, naming the package and the advisory", () => {
    const v = judgeAudit(
      report(
        {
          axios: { severity: "high", via: [{ title: "SSRF", url: "https://github.com/advisories/GHSA-x" }] },
          "prometheus-query": { severity: "critical", via: ["axios"] },
        },
        { high: 1, critical: 1, total: 2 },
      ),
    );
    assert.equal(v.outcome, "fail");
    assert.match(v.message, /axios \(high\): SSRF https:\/\/github\.com\/advisories\/GHSA-x/);
    assert.match(v.message, /prometheus-query \(critical\): via axios/);
  });
  test("a refused connection or unknown host skips as unreachable", () => {
    for (const reason of ["connect ECONNREFUSED 127.0.0.1:9", "getaddrinfo ENOTFOUND registry.invalid"]) {
      const message = `request to http://x/-/npm/v1/security/advisories/bulk failed, reason: ${reason}`;
      assert.deepEqual(judgeAudit(JSON.stringify({ message, error: { summary: "" } })), {
        outcome: "skip",
        message: `npm audit skipped: registry unreachable (${reason})`,
      });
    }
  });
  test("a registry without an audit service skips, naming the answer", () => {
    const message =
      "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk";
    const v = judgeAudit(JSON.stringify({ message, statusCode: 405 }));
    assert.deepEqual(v, {
      outcome: "skip",
      message: `npm audit skipped: registry cannot audit (${message})`,
    });
  });
  test("anything else (no lockfile, garbage) fails", () => {
    assert.equal(
      judgeAudit(JSON.stringify({ message: "ENOLOCK: audit requires a lockfile" })).outcome,
      "fail",
    );
    assert.equal(judgeAudit("not json").outcome, "fail");
  });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const run = (env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [script], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: (err as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    );
  });

describe("scripts/audit.ts offline", () => {
  test("a registry on a closed port: one clear line, exit 0", async () => {
    const port = await closedPort();
    const res = await run({ npm_config_registry: `http://127.0.0.1:${port}/` });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      `npm audit skipped: registry unreachable (connect ECONNREFUSED 127.0.0.1:${port})\n`,
    );
  });
  test("RAMP_AUDIT_REQUIRED=1 makes an unreachable registry a failure", async () => {
    const port = await closedPort();
    const res = await run({ npm_config_registry: `http://127.0.0.1:${port}/`, RAMP_AUDIT_REQUIRED: "1" });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /npm audit skipped: registry unreachable .*RAMP_AUDIT_REQUIRED=1/);
  });
});
