// Standalone kwok ships no stages (it exits "no stages found"), so its config is assembled from the Stage
// documents in kwok's own module source, at the version we built: node setup, lease heartbeats, pods
// becoming Ready, Job pods completing, and pods being deleted (without which namespace deletion hangs).
import { execFile } from "node:child_process";
import { access, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { versions } from "./paths.ts";

const run = promisify(execFile);

export const kwokStageFiles: readonly string[] = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-complete.yaml",
  "pod/fast/pod-delete.yaml",
];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function goModCache(): Promise<string> {
  if (process.env.GOMODCACHE) return process.env.GOMODCACHE;
  try {
    const { stdout } = await run("go", ["env", "GOMODCACHE"]);
    if (stdout.trim()) return stdout.trim();
  } catch {
    // Without go, fall back to its default location; the error below names go if that is empty too.
  }
  return join(process.env.GOPATH ?? join(homedir(), "go"), "pkg/mod");
}

/** Directory holding kwok's `kustomize/stage/` tree; downloads the module if the cache was cleaned. */
export async function kwokStageDir(): Promise<string> {
  const module = `sigs.k8s.io/kwok@${versions().kwok}`;
  const cached = join(await goModCache(), module, "kustomize/stage");
  if (await exists(cached)) return cached;
  try {
    const { stdout } = await run("go", ["mod", "download", "-json", module], {
      env: { ...process.env, GOTOOLCHAIN: "local" },
    });
    const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (dir) return join(dir, "kustomize/stage");
  } catch (cause) {
    throw new Error(
      `ramp: kwok's stage files (${module}/kustomize/stage) are not in the Go module cache and ` +
        "`go mod download` failed. Install Go (>= 1.26) and run `npm run cluster:build`.",
      { cause },
    );
  }
  throw new Error(`ramp: go mod download ${module} did not report a directory`);
}

/** Writes the concatenated Stage documents to `dest` (passed to kwok as --config). */
export async function writeKwokStages(dest: string): Promise<void> {
  const dir = await kwokStageDir();
  const docs: string[] = [];
  for (const file of kwokStageFiles) {
    const text = await readFile(join(dir, file), "utf8");
    docs.push(`# from sigs.k8s.io/kwok@${versions().kwok}/kustomize/stage/${file}\n${text.trim()}\n`);
  }
  await writeFile(dest, docs.join("---\n"));
}
