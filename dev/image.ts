// There is no container engine here, so the Dockerfile is checked by doing what it says: a small
// interpreter runs its stages into directories (COPY from the build context as .dockerignore filters it,
// COPY --from a stage, RUN with the machine's shell, WORKDIR, ENV), and gives the final stage's
// filesystem and entrypoint so tests can run the controller exactly as the image would.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { repoRoot } from "./yaml.ts";

export type Instruction = { op: string; args: string };

export type Stage = {
  name: string;
  base: string;
  instructions: Instruction[];
};

/** The Dockerfile's stages; `${ARG}` in FROM is expanded from the global ARG defaults. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const globals = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] ?? "").toUpperCase();
    const args = m[2] ?? "";
    if (op === "ARG" && stages.length === 0) {
      const [k, v] = args.split("=", 2);
      if (k) globals.set(k.trim(), (v ?? "").trim());
      continue;
    }
    if (op === "FROM") {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile: cannot read FROM ${args}`);
      const base = (from[1] ?? "").replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globals.get(a ?? b) ?? "");
      stages.push({ name: from[2] ?? String(stages.length), base, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${op} before the first FROM`);
    stage.instructions.push({ op, args });
  }
  return stages;
}

/** The .dockerignore rules, in order (`!` re-includes), as regular expressions over context paths. */
function dockerignore(): { exclude: boolean; re: RegExp }[] {
  const path = join(repoRoot, ".dockerignore");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const exclude = !l.startsWith("!");
      const pattern = (exclude ? l : l.slice(1)).replace(/\/+$/, "");
      const re = pattern
        .split("/")
        .map((seg) =>
          seg === "**"
            ? ".*"
            : seg
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/");
      // A directory pattern also matches everything under it.
      return { exclude, re: new RegExp(`^${re}(/.*)?$`) };
    });
}

/** Whether the build context sends this path (relative to the repo) to the builder. */
export function inContext(path: string): boolean {
  let excluded = false;
  for (const rule of dockerignore()) if (rule.re.test(path)) excluded = rule.exclude;
  return !excluded;
}

/** Copies a context path into the stage, dropping what .dockerignore excludes. */
function copyFromContext(src: string, dest: string): void {
  const abs = join(repoRoot, src);
  if (!existsSync(abs)) throw new Error(`Dockerfile: COPY ${src}: no such file in the build context`);
  if (!inContext(src)) throw new Error(`Dockerfile: COPY ${src}: .dockerignore excludes it`);
  cpSync(abs, dest, {
    recursive: true,
    filter: (p) => {
      const rel = p.slice(repoRoot.length + 1);
      return rel === "" || inContext(rel);
    },
  });
}

export type StagedImage = {
  /** The final stage's root filesystem (a directory). */
  root: string;
  /** The final stage's WORKDIR, inside root. */
  workdir: string;
  /** ENTRYPOINT then CMD, as written. */
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  user: string;
  stages: Stage[];
  cleanup(): void;
};

/** An exec-form instruction's argument (ENTRYPOINT, CMD): a JSON array of strings. */
export const jsonArray = (args: string, what: string): string[] => {
  const v: unknown = JSON.parse(args);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new Error(`Dockerfile: ${what} must be an exec-form JSON array of strings`);
  }
  return v;
};

const cacheDir = join(repoRoot, ".ramp", "image-cache");

/**
 * Like a builder's layer cache: a stage that copies only files (not directories) from the context is
 * keyed by its base, its instructions and those files' contents, and reused while they are unchanged.
 */
function cacheKey(stage: Stage): string | undefined {
  const hash = createHash("sha256").update(`${stage.base}\n`);
  for (const { op, args } of stage.instructions) {
    hash.update(`${op} ${args}\n`);
    if (op !== "COPY") continue;
    if (args.includes("--from=")) return undefined;
    const paths = args.split(/\s+/).filter((p) => !p.startsWith("--"));
    for (const src of paths.slice(0, -1)) {
      const abs = join(repoRoot, src);
      if (!existsSync(abs) || !statSync(abs).isFile()) return undefined;
      hash.update(readFileSync(abs));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Runs every stage of the Dockerfile into a temporary directory. RUN uses `sh -c` with Node 24 first on
 * PATH (the base images are Node 24) and npm's cache preferred, so it works offline after one install.
 */
export function stageImage(dockerfile = join(repoRoot, "Dockerfile")): StagedImage {
  const stages = parseDockerfile(readFileSync(dockerfile, "utf8"));
  const top = mkdtempSync(join(tmpdir(), "ramp-image-"));
  const roots = new Map<string, string>();
  let final: Omit<StagedImage, "stages" | "cleanup"> | undefined;
  const nodeBin = dirname(process.execPath);
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
  ) as Record<string, string>;
  try {
    for (const [i, stage] of stages.entries()) {
      const root = join(top, `stage-${i}`);
      roots.set(stage.name, root);
      const key = i < stages.length - 1 ? cacheKey(stage) : undefined;
      if (key && existsSync(join(cacheDir, key))) {
        // Later stages only read it (COPY --from), so the cached layer is used in place.
        roots.set(stage.name, join(cacheDir, key));
        continue;
      }
      mkdirSync(root, { recursive: true });
      let workdir = "/";
      const env: Record<string, string> = {};
      let entrypoint: string[] = [];
      let cmd: string[] = [];
      let user = "root";
      const inStage = (p: string) => join(root, p.startsWith("/") ? p : join(workdir, p));
      for (const { op, args } of stage.instructions) {
        switch (op) {
          case "WORKDIR":
            workdir = args.startsWith("/") ? args : join(workdir, args);
            mkdirSync(inStage("."), { recursive: true });
            break;
          case "ENV":
            for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
              env[m[1] ?? ""] = (m[2] ?? "").replace(/"/g, "");
            break;
          case "COPY": {
            const parts = args.split(/\s+/);
            const from = parts.find((p) => p.startsWith("--from="))?.slice("--from=".length);
            const paths = parts.filter((p) => !p.startsWith("--"));
            const dest = paths.pop();
            if (!dest || paths.length === 0)
              throw new Error(`Dockerfile: COPY ${args}: needs a source and a destination`);
            const intoDir = dest.endsWith("/") || paths.length > 1;
            for (const src of paths) {
              const target = intoDir ? join(inStage(dest), basename(src)) : inStage(dest);
              mkdirSync(dirname(target), { recursive: true });
              if (from === undefined) copyFromContext(src, target);
              else {
                const other = roots.get(from);
                if (!other) throw new Error(`Dockerfile: COPY --from=${from}: no such earlier stage`);
                const abs = join(other, src);
                if (!existsSync(abs))
                  throw new Error(`Dockerfile: COPY --from=${from} ${src}: not in that stage`);
                cpSync(abs, target, { recursive: true });
              }
            }
            break;
          }
          case "RUN":
            execFileSync("sh", ["-c", args], {
              cwd: inStage("."),
              env: {
                ...cleanEnv,
                ...env,
                PATH: `${nodeBin}:${cleanEnv.PATH ?? ""}`,
                npm_config_prefer_offline: "true",
              },
              stdio: ["ignore", "pipe", "inherit"],
              timeout: 300_000,
            });
            break;
          case "USER":
            user = args;
            break;
          case "ENTRYPOINT":
            entrypoint = jsonArray(args, "ENTRYPOINT");
            break;
          case "CMD":
            cmd = jsonArray(args, "CMD");
            break;
          case "ARG":
          case "LABEL":
          case "EXPOSE":
            break;
          default:
            throw new Error(`Dockerfile: the test interpreter does not know ${op}; teach dev/image.ts`);
        }
      }
      final = { root, workdir: inStage("."), entrypoint, cmd, env, user };
      if (key) {
        // Stored whole or not at all, so a run killed half-way never leaves a partial layer.
        const tmp = join(cacheDir, `${key}.tmp-${process.pid}`);
        rmSync(tmp, { recursive: true, force: true });
        cpSync(root, tmp, { recursive: true, verbatimSymlinks: true });
        rmSync(join(cacheDir, key), { recursive: true, force: true });
        renameSync(tmp, join(cacheDir, key));
      }
    }
    if (!final || !statSync(final.workdir).isDirectory()) throw new Error("Dockerfile: no final stage");
    // Layers of older lock files are dropped (they are ~100 MB each).
    const live = new Set(stages.map(cacheKey).filter(Boolean));
    for (const entry of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
      if (!live.has(entry) && !entry.includes(".tmp-"))
        rmSync(join(cacheDir, entry), { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(top, { recursive: true, force: true });
    throw err;
  }
  return { ...final, stages, cleanup: () => rmSync(top, { recursive: true, force: true }) };
}
