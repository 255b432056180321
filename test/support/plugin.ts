// Runs `kubectl ramp …` the way a person does: the cluster's own kubectl, which finds the kubectl-ramp
// launcher (bin/) on PATH and runs it as a plugin.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { binaries } from "../../dev/cluster/paths.ts";
import { type KubectlResult, kubeconfigPath } from "../../dev/kube.ts";
import { repoRoot } from "../../dev/yaml.ts";

export const pluginDir = join(repoRoot, "bin");

/** The environment a plugin run gets: bin/ first on PATH, the local cluster's kubeconfig. */
export const pluginEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${pluginDir}:${process.env.PATH ?? ""}`,
  KUBECONFIG: kubeconfigPath(),
});

export function kubectlRamp(
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaries().kubectl, ["ramp", ...args], {
      env: { ...pluginEnv(), ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ stdout, stderr, code: code ?? (signal ? 128 : 1) }));
    child.stdin.end(opts.input ?? "");
  });
}
