// Bundles the compiled controller with its dependencies into one minified module graph at image build
// time: `node src/controller/bundle.ts [DIST]` reads DIST/controller/main.js (tsc's output) and writes
// DIST/bundle/. V8 keeps every loaded module's source resident; minified and in a few files, the idle
// controller is about 8 MiB smaller (docs/performance.md, "Where the memory goes"). Modules loaded on
// first use stay separate chunks (splitting), loaded as lazily as before.
import { join } from "node:path";
import { build } from "esbuild";

const dist = process.argv[2] ?? "dist";
await build({
  // The condition thread's module beside the chunks: conditions.ts finds it relative to itself.
  entryPoints: {
    main: join(dist, "controller", "main.js"),
    "condition-worker": join(dist, "analysis", "condition-worker.js"),
  },
  outdir: join(dist, "bundle"),
  bundle: true,
  splitting: true,
  // Whitespace and syntax only: names stay as written, so logs name an error by its constructor (pino's
  // err.type) without esbuild's keepNames, which renames every closure again each time it is created.
  minifyWhitespace: true,
  minifySyntax: true,
  platform: "node",
  format: "esm",
  target: "node24",
  // CommonJS dependencies (prom-client, pino) call require(): give each output module one.
  banner: {
    js: 'import{createRequire as __rampRequire}from"node:module";const require=__rampRequire(import.meta.url);',
  },
  logLevel: "warning",
});
process.stdout.write(`controller bundled into ${join(dist, "bundle")}\n`);
