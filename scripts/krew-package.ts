// Builds the krew archive of kubectl-ramp for this machine's OS and CPU, and writes its uri and sha256
// into the krew manifest: node scripts/krew-package.ts [--out DIR] [--manifest FILE]
// The archive carries the plugin's source, its runtime dependencies and the Node 24 binary of the `node`
// package (so it runs on machines without Node 24); krew links bin/kubectl-ramp onto PATH.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: { out: { type: "string", default: join(root, "dist") }, manifest: { type: "string" } },
});
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const os = process.platform === "win32" ? "windows" : process.platform;
const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch] ?? process.arch;
const name = `kubectl-ramp-v${pkg.version}-${os}-${arch}.tar.gz`;
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const archive = join(out, name);

// Development tools stay out; everything `npm install --omit=dev` would keep, plus the node binary.
const DEV_ONLY = ["typescript", "@biomejs", "@types", "fast-check"];
execFileSync(
  "tar",
  [
    "--create",
    "--use-compress-program=gzip -n",
    `--file=${archive}`,
    "--sort=name",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mtime=@0",
    ...DEV_ONLY.flatMap((d) => [`--exclude=node_modules/${d}`, `--exclude=node_modules/.bin/${d}`]),
    "--exclude=node_modules/.cache",
    "-C",
    root,
    "package.json",
    "bin",
    "src",
    "node_modules",
  ],
  { stdio: "inherit" },
);
const sha256 = createHash("sha256").update(readFileSync(archive)).digest("hex");

const manifestPath = resolve(values.manifest ?? join(root, "plugins", "ramp.yaml"));
const doc = parseDocument(readFileSync(manifestPath, "utf8"));
type Platform = { selector: { matchLabels: { os: string; arch: string } } };
const platforms = (doc.toJS() as { spec: { platforms: Platform[] } }).spec.platforms;
let index = platforms.findIndex(
  (p) => p.selector.matchLabels.os === os && p.selector.matchLabels.arch === arch,
);
if (index < 0) {
  // A platform built for the first time: the same files and bin as the first one.
  const first = doc.getIn(["spec", "platforms", 0]) as { clone(): unknown } | undefined;
  if (!first) throw new Error(`${manifestPath} has no platform to copy`);
  doc.addIn(["spec", "platforms"], first.clone());
  index = platforms.length;
  doc.setIn(["spec", "platforms", index, "selector", "matchLabels", "os"], os);
  doc.setIn(["spec", "platforms", index, "selector", "matchLabels", "arch"], arch);
}
doc.setIn(["spec", "version"], `v${pkg.version}`);
doc.setIn(["spec", "platforms", index, "sha256"], sha256);
doc.setIn(
  ["spec", "platforms", index, "uri"],
  `https://github.com/ramp-dev/ramp/releases/download/v${pkg.version}/${name}`,
);
writeFileSync(manifestPath, doc.toString({ lineWidth: 0 }));
console.log(`${archive}\nsha256 ${sha256}\nupdated ${manifestPath} (${os}/${arch})`);
