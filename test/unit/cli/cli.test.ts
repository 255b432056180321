// The command line without a cluster: parsing, help, exit codes, lint findings, status verdicts,
// in-place redraw, undo's template restoration and completion.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot, yamlFilesUnder } from "../../../dev/yaml.ts";
import { parseImageChange, setImage } from "../../../src/cli/actions/spec.ts";
import { restoreTemplate } from "../../../src/cli/actions/undo.ts";
import { candidates, type Lookups } from "../../../src/cli/commands/completion.ts";
import { EXIT } from "../../../src/cli/context.ts";
import { verdictOf } from "../../../src/cli/inspect/status.ts";
import { lint } from "../../../src/cli/lint/lint.ts";
import { findCommand } from "../../../src/cli/run.ts";
import { Screen } from "../../../src/cli/screen.ts";
import { podTemplateHash } from "../../../src/kube/hash.ts";
import { rollout } from "./fixtures.ts";
import { capture, ramp } from "./io.ts";

describe("argument parsing and exit codes", () => {
  const usage: [string, string[], RegExp][] = [
    ["no command", [], /Commands:/],
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    ["an unknown flag", ["promote", "web", "--fast"], /Unknown option '--fast'/],
    ["a missing NAME", ["promote"], /missing NAME/],
    ["too many arguments", ["abort", "web", "api"], /unexpected argument "api"/],
    ["a bad -o", ["list", "rollouts", "-o", "csv"], /-o csv: not one of table\|wide\|json\|yaml\|name/],
    ["set image without CONTAINER=IMAGE", ["set", "image", "web", "web:2"], /"web:2" is not CONTAINER=IMAGE/],
    ["a bad --timeout", ["status", "web", "--timeout", "soon"], /--timeout: "soon" is not a duration/],
    ["a bad --to-revision", ["undo", "web", "--to-revision", "-1"], /--to-revision/],
    ["lint without -f", ["lint"], /lint needs -f FILE/],
    ["an unknown shell", ["completion", "tcsh"], /"tcsh" is not one of bash, zsh, fish, powershell/],
  ];
  for (const [name, argv, message] of usage) {
    test(`${name}: exit ${EXIT.usage}`, async () => {
      const r = await ramp(argv);
      assert.equal(r.code, EXIT.usage, r.stderr);
      assert.match(r.stdout + r.stderr, message);
    });
  }

  test("--help on every command: an example, its flags and the exit codes; exit 0", async () => {
    for (const words of [
      ["get", "rollout"],
      ["list", "rollouts"],
      ["status"],
      ["promote"],
      ["abort"],
      ["retry"],
      ["pause"],
      ["resume"],
      ["restart"],
      ["set", "image"],
      ["undo"],
      ["lint"],
      ["plan"],
      ["version"],
      ["completion"],
    ]) {
      const r = await ramp([...words, "--help"]);
      assert.equal(r.code, EXIT.ok, words.join(" "));
      assert.match(r.stdout, /Examples:\n {2}# .+\n {2}.*kubectl ramp /, words.join(" "));
      assert.match(r.stdout, /Usage:\n {2}kubectl ramp /);
      assert.match(r.stdout, /64 {2}usage error/);
      assert.match(r.stdout, /-n, --namespace NS/);
    }
    assert.equal((await ramp(["--help"])).code, EXIT.ok);
  });

  test("booleans take kubectl's spellings: --watch=false, --no-watch, --watch=true", async () => {
    for (const watch of ["--watch=false", "--no-watch", "--watch=true", "-w"]) {
      // The bad --timeout is reported, so the boolean before it parsed.
      const r = await ramp(["status", "web", watch, "--timeout", "soon"]);
      assert.equal(r.code, EXIT.usage, watch);
      assert.match(r.stderr, /--timeout: "soon"/, watch);
    }
    assert.match((await ramp(["status", "web", "--watch=maybe"])).stderr, /--watch/);
  });

  test("commands are found by their words and aliases; flags may come first", () => {
    assert.equal(findCommand(["get", "rollouts", "web"])?.command.words.join(" "), "get rollout");
    assert.deepEqual(findCommand(["get", "ro", "web"])?.rest, ["web"]);
    assert.equal(findCommand(["list"])?.command.words.join(" "), "list rollouts");
    assert.deepEqual(findCommand(["set", "image", "web", "a=b"])?.rest, ["web", "a=b"]);
    assert.equal(findCommand(["set"]), undefined);
  });

  test("an error from the cluster (here: no kubeconfig) is exit 1 with kubectl's wording", async () => {
    const r = await ramp(["-n", "shop", "promote", "web", "--full"]);
    assert.equal(r.code, EXIT.failed);
    assert.match(r.stderr, /^error: /);
  });

  test("version --client needs no cluster; -o json", async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    const r = await ramp(["version", "--client", "-o", "json"]);
    assert.equal(r.code, EXIT.ok);
    assert.deepEqual(JSON.parse(r.stdout), { plugin: pkg.version });
  });

  // A contract test for zsh, fish and PowerShell (none is on this machine): each script hands the words to
  // __complete and drops its directive line; bash runs its script for real in the next test.
  test("completion scripts for bash, zsh, fish and powershell call __complete and drop the directive", async () => {
    const calls: Record<string, RegExp> = {
      bash: /kubectl-ramp __complete "\$\{COMP_WORDS\[@\]:1:COMP_CWORD\}".*grep -v '\^:'/,
      zsh: /kubectl-ramp __complete \$\{words\[2,CURRENT\]\}.*grep -v '\^:'/,
      fish: /kubectl-ramp __complete \(commandline -opc\)\[2\.\.-1\] \(commandline -ct\).*string match -v ":\*"/,
      powershell: /& kubectl-ramp __complete @words 2>\$null \| Where-Object \{ \$_ -notlike ':\*' \}/,
    };
    for (const [shell, call] of Object.entries(calls)) {
      const r = await ramp(["completion", shell]);
      assert.equal(r.code, EXIT.ok);
      assert.match(r.stdout, call, shell);
    }
    const ps = (await ramp(["completion", "powershell"])).stdout;
    assert.match(ps, /Register-ArgumentCompleter -Native -CommandName 'kubectl-ramp'/);
    // An empty word under the cursor is passed on, so `promote <TAB>` asks for names, not commands.
    assert.match(ps, /if \(\$wordToComplete -eq ''\) \{ \$words \+= '' \}/);
  });

  test("the bash script completes in a real bash through the installed launcher", () => {
    const complete = (words: string[]) => {
      const script = [
        "source <(kubectl-ramp completion bash)",
        `COMP_WORDS=(kubectl-ramp ${words.map((w) => `'${w}'`).join(" ")})`,
        `COMP_CWORD=${words.length}`,
        "_kubectl_ramp",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansion, not a template
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join("\n");
      const out = execFileSync("bash", ["-c", script], {
        env: { ...process.env, PATH: `${join(repoRoot, "bin")}:${process.env.PATH}` },
        encoding: "utf8",
      });
      return out.split("\n").filter(Boolean);
    };
    assert.deepEqual(complete(["pro"]), ["promote"]);
    assert.deepEqual(complete(["completion", ""]), ["bash", "zsh", "fish", "powershell"]);
    assert.deepEqual(complete(["promote", "web", "--fu"]), ["--full"]);
  });
});

describe("completion candidates", () => {
  const lookups: Lookups = {
    names: async (kind) =>
      ({ rollout: ["web", "api"], "argo-rollout": ["argo-web"], "flagger-canary": ["podinfo"] })[kind],
    namespaces: async () => ["shop", "staging", "kube-system"],
    kubeconfig: (kind) => ({ contexts: ["prod", "dev"], clusters: ["prod-cluster"], users: ["admin"] })[kind],
  };
  const cases: [string[], string[]][] = [
    [["p"], ["promote", "pause", "plan"]],
    [["set", ""], ["image"]],
    [
      ["promote", ""],
      ["web", "api"],
    ],
    [["promote", "-n", "shop", "w"], ["web"]],
    [["get", "rollout", "web", "-o", "y"], ["yaml"]],
    [["promote", "web", "--f"], ["--full"]],
    [
      ["completion", ""],
      ["bash", "zsh", "fish", "powershell"],
    ],
    [["promote", "web", ""], []],
    // Namespaces after -n, contexts after --context, kubeconfig clusters and users.
    [
      ["promote", "-n", "s"],
      ["shop", "staging"],
    ],
    [
      ["-n", ""],
      ["shop", "staging", "kube-system"],
    ],
    [["get", "rollout", "--namespace=st"], ["--namespace=staging"]],
    [["promote", "-n=sh"], ["-n=shop"]],
    [
      ["list", "--context", ""],
      ["prod", "dev"],
    ],
    [["status", "--context=d"], ["--context=dev"]],
    [["abort", "--cluster", ""], ["prod-cluster"]],
    [["abort", "--user", "a"], ["admin"]],
    // Rollout names only where a Rollout is expected: not as a flag's value, not where no NAME goes.
    [["abort", "--reason", ""], []],
    [["get", "rollout", "web", "--timeout", ""], []],
    [["list", "rollouts", "-l", ""], []],
    [["list", "rollouts", ""], []],
    [["lint", ""], []],
    [["version", ""], []],
    [["set", "image", "web", ""], []],
    [["promote", "--as", ""], []],
    [
      ["abort", "--reason", "x", ""],
      ["web", "api"],
    ],
    // migrate names what it migrates from: an Argo Rollout, a Flagger Canary.
    [["migrate", "rollout", ""], ["argo-web"]],
    [["migrate", "canary", ""], ["podinfo"]],
  ];
  for (const [words, want] of cases)
    test(words.join(" ") || "(empty)", async () => assert.deepEqual(await candidates(words, lookups), want));
});

describe("lint", () => {
  const lintFiles = (files: string[]) =>
    lint(files.map((file) => ({ file, text: readFileSync(file, "utf8") })));

  test("every file in examples/ passes (as one file set)", () => {
    assert.deepEqual(lintFiles(yamlFilesUnder("examples")), []);
  });

  test("broken files: each finding has file, line, document, field path and fix", () => {
    const dir = join(repoRoot, "test", "fixtures", "lint");
    const found = lintFiles(yamlFilesUnder("test/fixtures/lint")).map(
      (f) => `${f.file.slice(dir.length + 1)}:${f.line} #${f.document} ${f.path} | ${f.fix}`,
    );
    assert.deepEqual(found, [
      'missing-references.yaml:30 #2 spec.strategy.canary.canaryService | add the Service "shop-canary" to the files (-f), or correct canaryService',
      "missing-references.yaml:36 #2 spec.strategy.canary.steps[1].analysis.templates[0].templateName | add the AnalysisTemplate to the files (-f), correct templateName, or set clusterScope: true for a ClusterAnalysisTemplate",
      "missing-references.yaml:38 #2 spec.strategy.canary.steps[2].analysis.args | add { name: service, value: … } (or valueFrom) to the args",
      "missing-references.yaml:46 #3 spec | spec.metrics[].name must be unique",
      "missing-references.yaml:50 #3 spec.metrics[0].successCondition | write a CEL expression over `result`, e.g. result[0] >= 0.95 (the controller reports InvalidCondition)",
      "not-yaml.yaml:5 #1  | correct the YAML syntax at that line",
      'notifier-event.yaml:7 #1 spec.events[0] | use one of: "stepStarted", "paused", "analysisInconclusive", "aborted", "progressDeadlineExceeded", "healthy", "rolledBack"',
      "notifier.yaml:7 #1 spec | set exactly one destination: slack, msteams or webhook",
      "routing-without-services.yaml:7 #1 spec | spec.template.metadata.labels must include every spec.selector.matchLabels entry",
      "routing-without-services.yaml:20 #1 spec.strategy.canary | set both, or pingPong (only Istio subset-level routing, trafficRouting.istio.destinationRule alone, works without them)",
      "two-kinds-in-a-step.yaml:21 #1 spec.strategy.canary | spec.strategy.canary.steps[].setWeight is a percentage (at most 100) unless trafficRouting.maxTrafficWeight sets another total",
      "two-kinds-in-a-step.yaml:22 #1 spec.strategy.canary.steps[0] | each step sets exactly one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute (split a step with two into two steps)",
      'two-kinds-in-a-step.yaml:26 #1 spec.strategy.canary.steps[2].pause.duration | steps[].pause.duration must be whole seconds (30) or a duration such as "30s", "5m", "1h30m"',
    ]);
  });

  test("a template defined in several files: the Rollout's own file's is the one checked", () => {
    const template = (arg: string) =>
      `apiVersion: ramp.dev/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: rate}\nspec:\n  args: [{name: ${arg}}]\n` +
      "  metrics: [{name: m, successCondition: 'result[0] > 0', provider: {prometheus: {address: http://p, query: up}}}]\n";
    const rolloutDoc =
      "apiVersion: ramp.dev/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
      "  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web:1}]}}\n" +
      "  strategy: {canary: {steps: [{analysis: {templates: [{templateName: rate}], args: [{name: version, value: v2}]}}]}}\n";
    const findings = lint([
      { file: "prod/template.yaml", text: template("service") },
      { file: "demo/all.yaml", text: `${template("version")}---\n${rolloutDoc}` },
    ]);
    assert.deepEqual(findings, []);
  });

  test("a condition with {{args.NAME}} compiles as the controller compiles it (the arg pasted in first); a typo beside it is still found", () => {
    const template = (condition: string) =>
      "apiVersion: ramp.dev/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: rate}\nspec:\n  args: [{name: max}]\n" +
      `  metrics: [{name: m, failureCondition: '${condition}', provider: {prometheus: {address: http://p, query: up}}}]\n`;
    assert.deepEqual(lint([{ file: "t.yaml", text: template("result[0] > {{args.max}}") }]), []);
    assert.deepEqual(lint([{ file: "t.yaml", text: template("result[0] > {{ args.max }} &&") }]).length, 1);
  });

  test("messages: the controller's for the schema, the apiserver's for CEL rules", () => {
    const [weight, , duration] = lintFiles([join(repoRoot, "test/fixtures/lint/two-kinds-in-a-step.yaml")]);
    assert.equal(
      weight?.message,
      "spec.strategy.canary: Invalid value: spec.strategy.canary.steps[].setWeight is a percentage (at most 100) unless trafficRouting.maxTrafficWeight sets another total",
    );
    assert.equal(
      duration?.message,
      'spec.strategy.canary.steps[2].pause.duration: Invalid value: "10 minutes": steps[].pause.duration must be whole seconds (30) or a duration such as "30s", "5m", "1h30m"',
    );
  });

  test("a Notifier: its schema and CEL rules, as admission checks them", () => {
    const findings = ["notifier.yaml", "notifier-event.yaml"].flatMap((f) =>
      lintFiles([join(repoRoot, "test/fixtures/lint", f)]).map((x) => x.message),
    );
    assert.ok(
      findings.some((m) => /spec\.events\[0\]/.test(m)),
      `unknown event: ${findings.join(" | ")}`,
    );
    assert.ok(
      findings.some((m) => /set exactly one destination: slack, msteams or webhook/.test(m)),
      `two destinations: ${findings.join(" | ")}`,
    );
  });

  test("the command: exit 1 with findings (text and -o json), 0 without; -f - reads stdin", async () => {
    const bad = join(repoRoot, "test/fixtures/lint/two-kinds-in-a-step.yaml");
    const r = await ramp(["lint", "-f", bad]);
    assert.equal(r.code, EXIT.failed);
    assert.match(
      r.stdout,
      /two-kinds-in-a-step\.yaml:22: document 1 \(Rollout "web"\): spec\.strategy\.canary\.steps\[0\]: /,
    );
    assert.match(
      r.stdout,
      /\n {2}fix: spec\.strategy\.canary\.steps\[\]\.setWeight is a percentage \(at most 100\)/,
    );
    assert.match(r.stderr, /3 findings in 1 file/);
    const json = await ramp(["lint", "-f", bad, "-o", "json"]);
    assert.equal(JSON.parse(json.stdout).length, 3);
    const ok = await ramp(["lint", "-f", join(repoRoot, "examples")]);
    assert.equal(ok.code, EXIT.ok, ok.stdout);
    assert.equal(ok.stdout, `${yamlFilesUnder("examples").length} files checked: no findings\n`);
    const stdin = await ramp(["lint", "-f", "-"], { stdin: readFileSync(bad, "utf8") });
    assert.equal(stdin.code, EXIT.failed);
    assert.match(stdin.stdout, /^<stdin>:21: document 1/);
  });
});

describe("status verdicts", () => {
  const cases: [string, Record<string, unknown>, { failOnPause?: boolean }, string][] = [
    [
      "Healthy and promoted",
      { phase: "Healthy", stableRS: "v2hash", message: "version v2hash is stable" },
      {},
      "ok",
    ],
    ["Healthy but not promoted yet", { phase: "Healthy" }, {}, "wait"],
    [
      "Degraded: the abort reason",
      { phase: "Degraded", abort: { reason: "AbortedByUser", message: "aborted by ann", at: "t" } },
      {},
      "fail",
    ],
    ["Paused waits", {}, {}, "wait"],
    ["Paused with --fail-on-pause fails", {}, { failOnPause: true }, "fail"],
    [
      "a generation the controller has not seen",
      { observedGeneration: 1, phase: "Healthy", stableRS: "v2hash" },
      {},
      "wait",
    ],
  ];
  for (const [name, status, opts, want] of cases) {
    test(name, () => {
      const v = verdictOf(rollout(status), opts);
      assert.equal(v.done ? (v.ok ? "ok" : "fail") : "wait", want, v.line);
    });
  }
  test("the failure line names the reason and message", () => {
    const v = verdictOf(
      rollout({
        phase: "Degraded",
        abort: { reason: "AnalysisFailed", message: "error-rate 0.12", at: "t" },
      }),
    );
    assert.equal(v.line, "Degraded (AnalysisFailed): error-rate 0.12");
  });
});

describe("in-place redraw", () => {
  test("on a terminal: cursor hidden, only changed lines rewritten, restored on close", () => {
    const out = capture(true, 80, 24);
    const screen = new Screen(out);
    screen.draw(["Name: web", "Step: 1/5", "Pods: 5"]);
    assert.equal(out.text, "\x1b[?25lName: web\nStep: 1/5\nPods: 5\n");
    out.text = "";
    screen.draw(["Name: web", "Step: 1/5", "Pods: 5"]);
    assert.equal(out.text, "", "an unchanged frame writes nothing");
    screen.draw(["Name: web", "Step: 2/5", "Pods: 5"]);
    assert.equal(out.text, "\x1b[3F\x1b[1E\x1b[2KStep: 2/5\n\x1b[1E");
    out.text = "";
    screen.draw(["Name: web"]);
    assert.equal(out.text, "\x1b[3F\x1b[1E\x1b[J", "a shorter frame clears what is left below");
    out.text = "";
    screen.close();
    assert.equal(out.text, "\x1b[?25h");
  });

  test("lines wider than the terminal are cut, so nothing wraps", () => {
    const out = capture(true, 20, 24);
    new Screen(out).draw(["x".repeat(50)]);
    assert.equal(out.text, `\x1b[?25l${"x".repeat(19)}…\x1b[0m\n`);
  });

  test("not a terminal: plain frames, one per change of key", () => {
    const out = capture(false);
    const screen = new Screen(out);
    screen.draw(["a 1s"], "a");
    screen.draw(["a 2s"], "a");
    screen.draw(["b 3s"], "b");
    screen.close();
    assert.equal(out.text, "a 1s\n\nb 3s\n");
  });
});

describe("undo restores a revision's template exactly", () => {
  const written = {
    metadata: { labels: { app: "web" } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: "web",
          image: "web:1",
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
        },
      ],
    },
  };
  // What the apiserver keeps in the ReplicaSet: the hash label plus every default.
  const defaulted = {
    metadata: { labels: { app: "web", "ramp.dev/pod-template-hash": "h" } },
    spec: {
      terminationGracePeriodSeconds: 0,
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      containers: [
        {
          name: "web",
          image: "web:1",
          imagePullPolicy: "IfNotPresent",
          resources: {},
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          readinessProbe: {
            httpGet: { path: "/ready", port: 8080, scheme: "HTTP" },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
        },
      ],
    },
  };
  const hash = podTemplateHash(written);

  test("defaults the template left out are removed; the hash matches", () => {
    const r = restoreTemplate(defaulted, hash, { spec: { containers: [{ name: "web", image: "web:2" }] } });
    assert.equal(r.exact, true);
    assert.deepEqual(r.template, written);
  });

  test("a default the user wrote out is kept", () => {
    const explicit = structuredClone(written) as typeof written & { spec: { dnsPolicy?: string } };
    explicit.spec.dnsPolicy = "ClusterFirst";
    const r = restoreTemplate(defaulted, podTemplateHash(explicit), {});
    assert.equal(r.exact, true);
    assert.equal(r.template.spec && (r.template.spec as { dnsPolicy?: string }).dnsPolicy, "ClusterFirst");
  });

  test("no candidate matches: the copy without the hash label, not exact", () => {
    const r = restoreTemplate(defaulted, "nomatch", {});
    assert.equal(r.exact, false);
    assert.deepEqual((r.template.metadata as { labels: object }).labels, { app: "web" });
  });
});

describe("set image", () => {
  const fake = () => {
    const patches: { patch: object; type: string }[] = [];
    const client = {
      get: async () => ({
        metadata: { resourceVersion: "7" },
        spec: {
          template: {
            spec: {
              containers: [
                { name: "web", image: "web:1" },
                { name: "proxy", image: "proxy:1" },
              ],
              initContainers: [{ name: "migrate", image: "web:1" }],
            },
          },
        },
      }),
      patch: async (_ref: unknown, patch: object, type: string) => {
        patches.push({ patch, type });
        return {};
      },
      replicaSets: async () => [],
    };
    return { client, patches };
  };
  const ref = { namespace: "shop", name: "web" };

  test("*=IMAGE sets every container and init container, in one JSON patch guarded by resourceVersion", async () => {
    const { client, patches } = fake();
    const res = await setImage(client, ref, [parseImageChange("*=web:2") ?? { container: "", image: "" }]);
    assert.deepEqual(res.changed, [
      "web=web:2 (was web:1)",
      "proxy=web:2 (was proxy:1)",
      "migrate=web:2 (was web:1)",
    ]);
    assert.equal(patches[0]?.type, "json");
    const ops = (patches[0]?.patch ?? []) as object[];
    assert.deepEqual(ops[0], {
      op: "test",
      path: "/metadata/resourceVersion",
      value: "7",
    });
    assert.equal(ops.length, 1 + 3 * 2);
  });

  test("a later CONTAINER=IMAGE wins over *; an image already set writes nothing", async () => {
    const { client, patches } = fake();
    const res = await setImage(client, ref, [
      { container: "*", image: "web:2" },
      { container: "proxy", image: "proxy:1" },
    ]);
    assert.deepEqual(res.changed, ["web=web:2 (was web:1)", "migrate=web:2 (was web:1)"]);
    const same = fake();
    const unchanged = await setImage(same.client, ref, [{ container: "web", image: "web:1" }]);
    assert.equal(unchanged.message, 'rollout "web" unchanged: the images are already set');
    assert.deepEqual(same.patches, []);
    assert.equal(patches.length, 1);
  });

  test("CONTAINER=IMAGE parsing", () => {
    assert.deepEqual(parseImageChange("web=registry:5000/web:2"), {
      container: "web",
      image: "registry:5000/web:2",
    });
    for (const bad of ["web", "=web:2", "web=", "web = x"])
      assert.equal(parseImageChange(bad), undefined, bad);
  });
});
