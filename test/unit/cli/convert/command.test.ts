// `kubectl ramp convert` as a person runs it: -f files and directories (-R), stdin, stdout or -o DIR, the
// report on stderr (file:line: field: reason), --strict, and comments and key order kept.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ramp } from "../io.ts";

const canary = (name: string, extra = "") => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers: [{ name: app, image: app:1 }]
  strategy:
    canary:
      steps:
        - setWeight: 50${extra}
`;

describe("kubectl ramp convert (command)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ramp-convert-"));
    mkdirSync(join(dir, "in", "nested"), { recursive: true });
    writeFileSync(join(dir, "in", "a.yaml"), canary("alpha"));
    writeFileSync(join(dir, "in", "notes.txt"), "not YAML: skipped");
    writeFileSync(join(dir, "in", "nested", "b.yml"), canary("beta"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a file: ramp YAML on stdout, a summary on stderr, exit 0", async () => {
    const res = await ramp(["convert", "-f", join(dir, "in", "a.yaml")]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^apiVersion: ramp\.dev\/v1alpha1\nkind: Rollout\n/);
    assert.equal(res.stderr, "1 object written; 0 not carried, 0 notes\n");
  });

  test("a directory: its own files only; -R: its subdirectories' too; --- between documents", async () => {
    const flat = await ramp(["convert", "-f", join(dir, "in")]);
    assert.equal(flat.code, 0, flat.stderr);
    assert.match(flat.stdout, /name: alpha/);
    assert.doesNotMatch(flat.stdout, /name: beta/);
    const deep = await ramp(["convert", "-f", join(dir, "in"), "-R"]);
    assert.equal(deep.code, 0, deep.stderr);
    assert.deepEqual(
      deep.stdout.split(/^---\n/m).map((d) => /name: (\w+)/.exec(d)?.[1]),
      ["alpha", "beta"],
    );
  });

  test("stdin (-f -): reported as <stdin> with the line", async () => {
    const res = await ramp(["convert", "-f", "-"], {
      stdin: canary("gamma", "\n        - experiment:\n            duration: 1m"),
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stderr,
      /^<stdin>:17: spec\.strategy\.canary\.steps\[1\]\.experiment: not supported by ramp: /m,
    );
  });

  test("--strict: exit 1 when anything was dropped, 0 when nothing was; notes never fail it", async () => {
    const dropped = await ramp(["convert", "-f", "-", "--strict"], {
      stdin: canary("delta", "\n        - plugin: { name: x }"),
    });
    assert.equal(dropped.code, 1);
    assert.match(dropped.stderr, /1 not carried/);
    const noted = await ramp(["convert", "-f", "-", "--strict"], {
      stdin: canary("delta", "\n          setCanaryScale: { replicas: 1 }"),
    });
    assert.equal(noted.code, 0, noted.stderr);
    assert.match(noted.stderr, /note: split into 2 steps/);
  });

  test("-o DIR: one file per object, <kind>-<name>.yaml in lowercase; the paths on stdout", async () => {
    const out = join(dir, "out");
    const input = `${canary("Web-App".toLowerCase())}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-app\nspec:\n  ports: [{ port: 80 }]\n`;
    const res = await ramp(["convert", "-f", "-", "-o", out], { stdin: input });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["rollout-web-app.yaml", "service-web-app.yaml"]);
    assert.equal(res.stdout, `${join(out, "rollout-web-app.yaml")}\n${join(out, "service-web-app.yaml")}\n`);
    assert.match(
      readFileSync(join(out, "rollout-web-app.yaml"), "utf8"),
      /^apiVersion: ramp\.dev\/v1alpha1\n/,
    );
  });

  test("-o DIR: two objects of one kind and name (two namespaces) get the namespace in the name", async () => {
    const out = join(dir, "out-ns");
    const svc = (ns: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ${ns}\n`;
    const res = await ramp(["convert", "-f", "-", "-o", out], { stdin: `${svc("a")}---\n${svc("b")}` });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["service-a-web.yaml", "service-b-web.yaml"]);
  });

  test("comments and key order are kept, other objects pass through unchanged and in place", async () => {
    const input = `# header comment
apiVersion: v1
kind: ConfigMap # before
metadata: { name: first }
---
# the rollout
kind: Rollout # kind first, as written
apiVersion: argoproj.io/v1alpha1
metadata:
  name: web
spec:
  strategy:
    canary:
      steps:
        # twenty percent
        - setWeight: 20 # trailing
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: app:1
---
apiVersion: v1
kind: ConfigMap
metadata: { name: last }
`;
    const res = await ramp(["convert", "-f", "-"], { stdin: input });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, input.replace("argoproj.io/v1alpha1", "ramp.dev/v1alpha1"));
  });

  test("input that is not YAML: reported with its line, exit 1; a missing file is a usage error", async () => {
    const bad = await ramp(["convert", "-f", "-"], { stdin: "a: [1, 2\nb: 3\n" });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^<stdin>:\d+: YAML: /m);
    const missing = await ramp(["convert", "-f", join(dir, "nope.yaml")]);
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /no such file or directory/);
  });

  test("usage: -f or --from-cluster, not both, not neither; -A and -R only where they mean something", async () => {
    for (const argv of [
      ["convert"],
      ["convert", "-f", "x.yaml", "--from-cluster"],
      ["convert", "-f", "-", "-A"],
      ["convert", "--from-cluster", "-R"],
    ]) {
      const res = await ramp(argv, { stdin: "" });
      assert.equal(res.code, 64, `${argv.join(" ")}: ${res.stderr}`);
    }
  });

  test("--from-cluster without a reachable cluster: the error, exit 1", async () => {
    const res = await ramp(["convert", "--from-cluster", "-n", "shop"], {
      env: { KUBECONFIG: join(dir, "kubeconfig") },
    });
    assert.notEqual(res.code, 0);
  });
});
