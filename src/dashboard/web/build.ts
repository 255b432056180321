// The dashboard's browser app, bundled once per process with esbuild's JS API: content-hashed JS and CSS
// and an index.html that only references them, so the server's strict CSP (no inline script or style) holds.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { build } from "esbuild";

/** `index` is the page for every route; `files` maps each asset's hashed name (`app.<hash>.js`) to it. */
export type Assets = { index: string; files: Map<string, { body: Buffer; type: string }> };

/** Where the server serves `files` from, and so where index.html points. */
export const ASSETS_PREFIX = "/assets/";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The app's entry: next to this file in the repository; from dist/, back in the repository's src/. */
function entryPoint(): string {
  const here = join(import.meta.dirname, "app", "main.tsx");
  if (existsSync(here)) return here;
  const fromDist = resolve(import.meta.dirname, "../../../src/dashboard/web/app/main.tsx");
  if (existsSync(fromDist)) return fromDist;
  throw new Error(`dashboard app sources not found (looked for ${here} and ${fromDist})`, {
    cause: new Error("the dashboard bundles its app from src/dashboard/web/app at start-up"),
  });
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function indexHtml(script: string, styles: string[]): string {
  const links = styles.map((href) => `<link rel="stylesheet" href="${escapeAttr(href)}">`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ramp</title>
<link rel="icon" href="data:,">
${links}
<script type="module" src="${escapeAttr(script)}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;
}

async function bundle(): Promise<Assets> {
  const entry = entryPoint();
  const outdir = join(import.meta.dirname, "out");
  const result = await build({
    entryPoints: { app: entry },
    absWorkingDir: resolve(import.meta.dirname, "../../.."),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    metafile: false,
    write: false,
    outdir,
    entryNames: "[name].[hash]",
    assetNames: "[name].[hash]",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  const files = new Map<string, { body: Buffer; type: string }>();
  let script: string | undefined;
  const styles: string[] = [];
  for (const out of result.outputFiles) {
    const name = basename(out.path);
    const type = TYPES[extname(name)] ?? "application/octet-stream";
    const url = `${ASSETS_PREFIX}${name}`;
    files.set(name, { body: Buffer.from(out.contents), type });
    if (name.endsWith(".js")) script = url;
    else if (name.endsWith(".css")) styles.push(url);
  }
  if (script === undefined) throw new Error("esbuild produced no JavaScript for the dashboard");
  return { index: indexHtml(script, styles), files };
}

/** Where the image keeps the app bundled at build time (its runtime has dist/ only, no sources). */
const PREBUILT = join(import.meta.dirname, "prebuilt");
type Manifest = { index: string; files: { name: string; type: string }[] };

/** Writes the bundled app to `dir` (the image's build stage: `node src/dashboard/web/prebuild.ts DIR`). */
export async function writePrebuilt(dir: string): Promise<void> {
  const assets = await bundle();
  mkdirSync(dir, { recursive: true });
  const files = [...assets.files].map(([name, f]) => {
    writeFileSync(join(dir, name), f.body);
    return { name, type: f.type };
  });
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({ index: assets.index, files } satisfies Manifest),
  );
}

function loadPrebuilt(dir: string): Assets {
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  return {
    index: m.index,
    files: new Map(m.files.map((f) => [f.name, { body: readFileSync(join(dir, f.name)), type: f.type }])),
  };
}

let cached: Promise<Assets> | undefined;

/**
 * The bundled app, built on first use and kept for the life of the process (a failed build is retried);
 * in the image, the one bundled when the image was built.
 */
export function buildAssets(): Promise<Assets> {
  if (!cached && existsSync(join(PREBUILT, "manifest.json")))
    cached = Promise.resolve(loadPrebuilt(PREBUILT));
  if (!cached) {
    const pending = bundle();
    cached = pending;
    pending.catch(() => {
      if (cached === pending) cached = undefined;
    });
  }
  return cached;
}
