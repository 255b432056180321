// ramp as shipped, for the peer bench: the committed tree (HEAD), not the working tree, which may hold
// someone's work in progress. HEAD's src/, crds/, package.json, tsconfigs and Dockerfile are compiled as
// the image's build stage does, in .ramp/peer/ramp-<hash of those trees>/; the controller runs from there
// with the Node flags of HEAD's Dockerfile ENTRYPOINT (node_modules resolve to the repository's).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../../../dev/yaml.ts";
import { imageEntry } from "../entrypoint.ts";

export type RampBuild = {
  commit: string;
  /** The script to run, relative to the repository, and the image's Node flags. */
  entry: string;
  nodeArgs: string[];
  /** HEAD's crds/, installed instead of the working tree's. */
  crdDir: string;
  /** Files under src/ whose working-tree state differs from HEAD (not part of what ran). */
  uncommittedSrc: string[];
};

const git = (args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" });

export function rampAtHead(say: (msg: string) => void): RampBuild {
  const commit = git(["rev-parse", "HEAD"]).trim();
  // Keyed by what is compiled, so a commit elsewhere in the tree reuses the build.
  const key = git(["rev-parse", "HEAD:src", "HEAD:crds", "HEAD:Dockerfile"]);
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 12);
  const dir = join(repoRoot, ".ramp", "peer", `ramp-${hash}`);
  const image = () => imageEntry(join(dir, "Dockerfile"));
  if (!existsSync(join(dir, ".complete"))) {
    say(`compiling ramp at ${commit.slice(0, 12)} (HEAD) into ${relative(repoRoot, dir)}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = ["src", "crds", "package.json", "tsconfig.json", "tsconfig.build.json", "Dockerfile"];
    execFileSync("bash", ["-c", `git archive HEAD ${files.join(" ")} | tar -x -C "$1"`, "extract", dir], {
      cwd: repoRoot,
    });
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json")], {
      cwd: dir,
      stdio: ["ignore", 2, 2],
    });
    if (run.status !== 0) throw new Error(`tsc in ${dir} failed (exit ${run.status ?? run.signal})`);
    // The image's build stage bundles the compiled controller when the tree has the bundler: so here.
    const bundler = join(dir, "src", "controller", "bundle.ts");
    if (existsSync(bundler)) {
      const bundled = spawnSync(process.execPath, [bundler, join(dir, "dist")], {
        cwd: dir,
        stdio: ["ignore", 2, 2],
      });
      if (bundled.status !== 0)
        throw new Error(`${bundler} failed (exit ${bundled.status ?? bundled.signal})`);
    }
    execFileSync("touch", [join(dir, ".complete")]);
  }
  const { entry, nodeArgs } = image();
  if (!existsSync(join(dir, entry))) throw new Error(`${dir}: no ${entry}, the entry of HEAD's Dockerfile`);
  const uncommittedSrc = git(["status", "--porcelain", "--", "src"])
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.slice(3));
  return {
    commit,
    entry: relative(repoRoot, join(dir, entry)),
    nodeArgs,
    crdDir: join(dir, "crds"),
    uncommittedSrc,
  };
}
