// The krew package: `npm run krew:package` builds the archive and records its sha256 in the manifest;
// installed the way krew installs it (extract, move `files`, link `bin`), kubectl runs the plugin with
// the Node 24 it carries, on a PATH whose only node is the machine's older one.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { binaries } from "../../../dev/cluster/paths.ts";
import { kubeconfigPath } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";

const run = promisify(execFile);

type Platform = {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  files: { from: string; to: string }[];
  bin: string;
};
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; shortDescription: string; platforms: Platform[] };
};

describe("krew package", () => {
  const dir = mkdtempSync(join(tmpdir(), "ramp-krew-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the archive matches the manifest and runs as a kubectl plugin without Node 24 on PATH", async () => {
    const manifestFile = join(dir, "ramp.yaml");
    copyFileSync(join(repoRoot, "plugins", "ramp.yaml"), manifestFile);
    await run(
      process.execPath,
      [join(repoRoot, "scripts", "krew-package.ts"), "--out", dir, "--manifest", manifestFile],
      {
        maxBuffer: 1 << 20,
      },
    );
    const manifest = parse(readFileSync(manifestFile, "utf8")) as Manifest;
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    assert.equal(manifest.apiVersion, "krew.googlecontainertools.github.com/v1alpha2");
    assert.equal(manifest.kind, "Plugin");
    assert.equal(manifest.metadata.name, "ramp", "krew installs it as kubectl-ramp");
    assert.equal(manifest.spec.version, `v${pkg.version}`);
    const platform = manifest.spec.platforms.find(
      (p) => p.selector.matchLabels.os === "linux" && p.selector.matchLabels.arch === "amd64",
    );
    assert.ok(platform, "a linux/amd64 platform");
    const archive = join(dir, platform.uri.split("/").at(-1) ?? "");
    assert.equal(createHash("sha256").update(readFileSync(archive)).digest("hex"), platform.sha256);

    // What krew does: extract, move each `files` entry into the install directory, link `bin`.
    const extracted = join(dir, "extracted");
    const installed = join(dir, "store", "ramp", manifest.spec.version);
    const binDir = join(dir, "bin");
    for (const d of [extracted, installed, binDir]) mkdirSync(d, { recursive: true });
    await run("tar", ["-xzf", archive, "-C", extracted]);
    for (const f of platform.files) renameSync(join(extracted, f.from), join(installed, f.to, f.from));
    symlinkSync(join(installed, platform.bin), join(binDir, "kubectl-ramp"));

    const env = { PATH: `${binDir}:/usr/bin:/bin`, KUBECONFIG: kubeconfigPath(), HOME: dir };
    const plugins = await run(binaries().kubectl, ["plugin", "list"], { env });
    assert.match(plugins.stdout, new RegExp(`^${binDir}/kubectl-ramp$`, "m"));
    const version = await run(binaries().kubectl, ["ramp", "version"], { env });
    assert.match(version.stdout, new RegExp(`^Plugin version: ${pkg.version}\\n`));
    assert.match(version.stdout, /^Kubernetes version: v1\.\d+/m);
  });
});
