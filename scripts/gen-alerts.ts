// Renders ramp's alert rules, whose one source is deploy/prometheus/ramp-rules.yaml, the two other ways
// they ship: the chart's copy (read by templates/prometheusrule.yaml with .Files.Get; a chart cannot read
// files outside its directory) and Grafana's alerting provisioning file. `--check` fails when either is stale.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { grafanaAlerting, RULES_FILE, rulesCopy } from "../src/observability/alert-files.ts";

const root = join(import.meta.dirname, "..");
const source = readFileSync(join(root, RULES_FILE), "utf8");
const outputs: [string, string][] = [
  ["chart/files/ramp-rules.yaml", rulesCopy(source)],
  ["deploy/grafana/alerting/ramp-alerts.yaml", grafanaAlerting(source)],
];

const check = process.argv.includes("--check");
let stale = 0;
for (const [path, text] of outputs) {
  const file = join(root, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, "utf8");
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(`${path} is stale: run npm run gen:alerts`);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
