// The controller as the image runs it: src/ compiled to dist/ (as the Dockerfile's build stage does) and
// started with the Node flags of the image's ENTRYPOINT, so the figures are those of what ships.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { jsonArray, parseDockerfile } from "../../dev/image.ts";
import { repoRoot } from "../../dev/yaml.ts";

export type Entry = { entry: string; nodeArgs: string[] };

/** What the image ran before the bundle (src/controller/bundle.ts), and what tsc alone still builds. */
const UNBUNDLED_ENTRY = "dist/controller/main.js";

/**
 * The final stage's ENTRYPOINT, split into Node's own flags and the script. A build beside `dockerfile`
 * made by tsc alone has no bundle: then tsc's entry, said on stderr (the image's figures need buildDist).
 */
export function imageEntry(dockerfile = join(repoRoot, "Dockerfile")): Entry {
  const final = parseDockerfile(readFileSync(dockerfile, "utf8")).at(-1);
  const args = final?.instructions.find((i) => i.op === "ENTRYPOINT")?.args;
  if (args === undefined) throw new Error("Dockerfile: the final stage has no ENTRYPOINT");
  const [, ...rest] = jsonArray(args, "ENTRYPOINT");
  const script = rest.findIndex((a) => !a.startsWith("-"));
  if (script < 0) throw new Error(`Dockerfile: ENTRYPOINT ${args} names no script`);
  const entry = rest[script] as string;
  const dir = dirname(dockerfile);
  if (!existsSync(join(dir, entry)) && existsSync(join(dir, UNBUNDLED_ENTRY))) {
    process.stderr.write(`${join(dir, entry)} is missing (not bundled): running ${UNBUNDLED_ENTRY}\n`);
    return { entry: UNBUNDLED_ENTRY, nodeArgs: rest.slice(0, script) };
  }
  return { entry, nodeArgs: rest.slice(0, script) };
}

/**
 * Compiles `dir`'s src/ to its dist/ with the lock's TypeScript and bundles the controller there, as the
 * image's build stage does (about 4 s).
 */
export function buildDist(dir = repoRoot): void {
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  for (const args of [
    [tsc, "-p", join(dir, "tsconfig.build.json")],
    [join(repoRoot, "src", "controller", "bundle.ts"), join(dir, "dist")],
  ]) {
    const run = spawnSync(process.execPath, args, { cwd: dir, stdio: ["ignore", 2, 2] });
    if (run.status !== 0) throw new Error(`${args.join(" ")} failed (exit ${run.status ?? run.signal})`);
  }
}
