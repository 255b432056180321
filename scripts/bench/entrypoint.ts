// The controller as the image runs it: src/ compiled to dist/ (as the Dockerfile's build stage does) and
// started with the Node flags of the image's ENTRYPOINT, so the figures are those of what ships.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonArray, parseDockerfile } from "../../dev/image.ts";
import { repoRoot } from "../../dev/yaml.ts";

export type Entry = { entry: string; nodeArgs: string[] };

/** The final stage's ENTRYPOINT, split into Node's own flags and the script. */
export function imageEntry(dockerfile = join(repoRoot, "Dockerfile")): Entry {
  const final = parseDockerfile(readFileSync(dockerfile, "utf8")).at(-1);
  const args = final?.instructions.find((i) => i.op === "ENTRYPOINT")?.args;
  if (args === undefined) throw new Error("Dockerfile: the final stage has no ENTRYPOINT");
  const [, ...rest] = jsonArray(args, "ENTRYPOINT");
  const script = rest.findIndex((a) => !a.startsWith("-"));
  if (script < 0) throw new Error(`Dockerfile: ENTRYPOINT ${args} names no script`);
  return { entry: rest[script] as string, nodeArgs: rest.slice(0, script) };
}

/** Compiles src/ to dist/ with the lock's TypeScript (about 2 s). */
export function buildDist(): void {
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: repoRoot,
    stdio: ["ignore", 2, 2],
  });
  if (run.status !== 0)
    throw new Error(`tsc -p tsconfig.build.json failed (exit ${run.status ?? run.signal})`);
}
