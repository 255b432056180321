// promtool on ramp's alert rules: `check rules` on the rules file and on the chart's copy, and
// `test rules` (test/fixtures/alerts/ramp-rules.test.yaml), where every alert has a case in which it
// fires and one in which it stays silent.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { checkRules, promtoolPath } from "../../../dev/prometheus.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { parseRules, RULES_FILE } from "../../../src/observability/alert-files.ts";

const testFile = join(repoRoot, "test", "fixtures", "alerts", "ramp-rules.test.yaml");

type AlertTest = { eval_time: string; alertname: string; exp_alerts: unknown[] };
type RuleTests = { rule_files: string[]; tests: { name: string; alert_rule_test?: AlertTest[] }[] };

describe("alert rules under promtool", () => {
  test("promtool check rules: the rules file and the chart's copy", () => {
    checkRules(join(repoRoot, RULES_FILE));
    checkRules(join(repoRoot, "chart", "files", "ramp-rules.yaml"));
  });

  test("promtool test rules: every case passes", () => {
    let out: string;
    try {
      out = execFileSync(promtoolPath(), ["test", "rules", testFile], { encoding: "utf8", stdio: "pipe" });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      assert.fail(`promtool test rules failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
    assert.match(out, /SUCCESS/);
  });

  test("the tests cover every alert, each both firing and silent, against the rules file itself", () => {
    const spec = parse(readFileSync(testFile, "utf8")) as RuleTests;
    assert.deepEqual(
      spec.rule_files.map((f) => join(repoRoot, "test", "fixtures", "alerts", f)),
      [join(repoRoot, RULES_FILE)],
    );
    const cases = spec.tests.flatMap((t) => t.alert_rule_test ?? []);
    const alerts = parseRules(readFileSync(join(repoRoot, RULES_FILE), "utf8")).flatMap((g) => g.rules);
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      assert.ok(
        mine.some((c) => c.exp_alerts.length > 0),
        `${a.alert}: no case where it fires`,
      );
      assert.ok(
        mine.some((c) => c.exp_alerts.length === 0),
        `${a.alert}: no case where it stays silent`,
      );
    }
  });
});
