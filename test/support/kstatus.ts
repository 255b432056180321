// Flux's health verdicts on real objects: test/support/kstatus, a small command around the libraries
// kustomize-controller uses (kstatus from github.com/fluxcd/cli-utils for healthChecks, and
// github.com/fluxcd/pkg/runtime/cel for healthCheckExprs), built from its Go module on first use.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../dev/yaml.ts";

let binary: string | undefined;

export function kstatusBinary(): string {
  if (binary) return binary;
  const built = spawnSync("bash", [join(repoRoot, "scripts", "cluster", "build-kstatus.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const path = built.stdout.trim().split("\n").pop();
  if (built.status !== 0 || !path) {
    throw new Error(`ramp: scripts/cluster/build-kstatus.sh failed (exit ${built.status ?? built.signal})`);
  }
  binary = path;
  return path;
}

export type KStatus = { status: "Current" | "InProgress" | "Failed" | string; message: string };

/** A Kustomization's healthCheckExprs entry. */
export type HealthCheckExprs = { current: string; failed?: string; inProgress?: string };

/** Flux's verdict on each object, in order: kstatus, or the CEL expressions when given. */
export function kstatus(objects: readonly unknown[], exprs?: HealthCheckExprs): KStatus[] {
  const input = objects.map((o) => JSON.stringify(o)).join("\n");
  const args = exprs
    ? [
        `--current=${exprs.current}`,
        ...(exprs.failed ? [`--failed=${exprs.failed}`] : []),
        ...(exprs.inProgress ? [`--in-progress=${exprs.inProgress}`] : []),
      ]
    : [];
  const res = spawnSync(kstatusBinary(), args, { input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`kstatus: ${res.stderr}`);
  return res.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as KStatus);
}
