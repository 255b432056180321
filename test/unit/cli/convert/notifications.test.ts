// Argo's notification subscriptions as ramp's: each built-in trigger, recipients, the short form, what has
// no equivalent, and that no notifications.argoproj.io/ annotation is carried verbatim (docs/migrating.md).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NOTIFY_EVENTS } from "../../../../src/api/notifier.ts";
import { convertArgo } from "../../../../src/cli/convert/argo/index.ts";
import { notifierName, RAMP_EVENTS } from "../../../../src/cli/convert/argo/notifications.ts";
import { renderStream } from "../../../../src/cli/convert/output.ts";
import { parseSource } from "../../../../src/cli/convert/source.ts";
import type { ConvertResult } from "../../../../src/cli/convert/types.ts";
import { lint } from "../../../../src/cli/lint/lint.ts";

const convert = (text: string): ConvertResult => convertArgo(parseSource("in.yaml", text).docs);
const report = (drops: ConvertResult["drops"]) => drops.map((d) => `${d.line ?? "-"} ${d.path}: ${d.reason}`);
const annotationsOf = (r: ConvertResult) =>
  (r.outputs[0]?.doc.toJS() as { metadata: { annotations?: Record<string, string> } } | undefined)?.metadata
    .annotations;

/** A blue-green Rollout with these annotation lines (each `key: value`), at line 6 onwards. */
const rollout = (...annotations: string[]) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  annotations:
${annotations.map((a) => `    ${a}\n`).join("")}spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers: [{ name: app, image: app:1 }]
  strategy:
    blueGreen: { activeService: web }
`;

const ARGO = "notifications.argoproj.io/subscribe";
const RAMP = "notifications.ramp.dev/subscribe";

describe("convert: Argo notification subscriptions", () => {
  test("ramp's event list here is the API's", () => {
    assert.deepEqual([...RAMP_EVENTS], [...NOTIFY_EVENTS]);
  });

  const mapped: [trigger: string, event: string][] = [
    ["on-rollout-completed", "healthy"],
    ["on-rollout-aborted", "aborted"],
    ["on-rollout-paused", "paused"],
    ["on-rollout-step-completed", "stepStarted"],
    ["on-rollout-updated", "stepStarted"],
    ["on-analysis-run-failed", "aborted"],
    ["on-analysis-run-error", "aborted"],
  ];
  for (const [trigger, event] of mapped)
    test(`${trigger} becomes ${event}`, () => {
      const r = convert(rollout(`${ARGO}.${trigger}.slack: deploys`));
      assert.deepEqual(annotationsOf(r), { [`${RAMP}.${event}.slack`]: "deploys" });
      assert.deepEqual(r.drops, []);
      assert.deepEqual(report(r.notes), [
        `6 metadata.annotations[${ARGO}.${trigger}.slack]: becomes ${RAMP}.${event}.slack: "deploys" ` +
          `(Argo's ${trigger}); create a Notifier or ClusterNotifier named slack`,
      ]);
    });

  for (const trigger of ["on-analysis-run-running", "on-scaling-replica-set"])
    test(`${trigger} has no ramp event: dropped with the reason`, () => {
      const r = convert(rollout(`${ARGO}.${trigger}.slack: deploys`, "example.com/owner: web-team"));
      assert.deepEqual(annotationsOf(r), { "example.com/owner": "web-team" });
      assert.equal(r.drops.length, 1);
      assert.equal(r.drops[0]?.line, 6);
      assert.equal(r.drops[0]?.path, `metadata.annotations[${ARGO}.${trigger}.slack]`);
      assert.match(
        r.drops[0]?.reason ?? "",
        new RegExp(`^Argo trigger "${trigger}" has no ramp event: ramp sends no`),
      );
    });

  test("a custom trigger is dropped, naming ramp's events; an emptied annotations map goes", () => {
    const r = convert(rollout(`${ARGO}.on-purple.slack: deploys`));
    assert.equal(annotationsOf(r), undefined);
    assert.match(
      r.drops[0]?.reason ?? "",
      /^Argo trigger "on-purple" is not one of Argo's built-in ones: .*stepStarted/,
    );
  });

  test("several recipients: the first is kept, the others reported as dropped", () => {
    const r = convert(rollout(`${ARGO}.on-rollout-aborted.slack: "ops; oncall;;sre"`));
    assert.deepEqual(annotationsOf(r), { [`${RAMP}.aborted.slack`]: "ops" });
    assert.deepEqual(report(r.drops), [
      `6 metadata.annotations[${ARGO}.on-rollout-aborted.slack]: recipients oncall, sre not carried: ramp's ` +
        "annotation names one recipient (ops kept); subscribe each other channel with a Notifier of its own",
    ]);
  });

  test("the short form without recipients maps with an empty value", () => {
    for (const value of ['""', ""]) {
      const r = convert(rollout(`${ARGO}.on-rollout-completed.teams: ${value}`));
      assert.deepEqual(annotationsOf(r), { [`${RAMP}.healthy.teams`]: "" });
      assert.deepEqual(r.drops, []);
      assert.match(
        r.notes[0]?.reason ?? "",
        /^becomes notifications\.ramp\.dev\/subscribe\.healthy\.teams with no recipient \(Argo's/,
      );
    }
  });

  test("a service name becomes a Notifier name: dots to '-', lower-cased", () => {
    assert.equal(notifierName("webhook.github"), "webhook-github");
    assert.equal(notifierName("Email.Gmail"), "email-gmail");
    assert.equal(notifierName("opsgenie_team.1"), "opsgenie-team-1");
    const r = convert(rollout(`${ARGO}.on-rollout-paused.webhook.github: ""`));
    assert.deepEqual(annotationsOf(r), { [`${RAMP}.paused.webhook-github`]: "" });
  });

  test("two triggers that give the same event and notifier collapse into one annotation", () => {
    const r = convert(
      rollout(
        `${ARGO}.on-rollout-aborted.slack: oncall`,
        `${ARGO}.on-analysis-run-failed.slack: oncall`,
        `${ARGO}.on-analysis-run-error.slack: sre`,
      ),
    );
    assert.deepEqual(annotationsOf(r), { [`${RAMP}.aborted.slack`]: "oncall" });
    assert.match(
      r.notes[1]?.reason ?? "",
      /^merged into notifications\.ramp\.dev\/subscribe\.aborted\.slack/,
    );
    assert.equal(r.notes[1]?.line, 7);
    // A different recipient for the same key cannot be kept: reported, not silently lost.
    assert.deepEqual(report(r.drops), [
      `8 metadata.annotations[${ARGO}.on-analysis-run-error.slack]: recipient "sre" not carried: ` +
        `${RAMP}.aborted.slack already names "oncall" (one recipient per event and notifier); subscribe it ` +
        "with a Notifier of its own",
    ]);
  });

  test("a ramp annotation already there wins over the Argo one that maps to it", () => {
    const r = convert(
      rollout(`${RAMP}.healthy.slack: deploys`, `${ARGO}.on-rollout-completed.slack: deploys`),
    );
    assert.deepEqual(annotationsOf(r), { [`${RAMP}.healthy.slack`]: "deploys" });
    assert.deepEqual(r.drops, []);
  });

  test("no Argo annotation is carried verbatim; order and comments stay; the output passes lint", () => {
    const r = convert(
      rollout(
        "example.com/owner: web-team",
        `${ARGO}.on-rollout-completed.slack: deploys # the team channel`,
        `${ARGO}.on-scaling-replica-set.slack: deploys`,
        'notifications.argoproj.io/subscriptions: "- trigger: [on-rollout-paused]"',
      ),
    );
    const text = renderStream(r.outputs);
    assert.doesNotMatch(text, /argoproj\.io/);
    assert.match(
      text,
      /owner: web-team\n {4}notifications\.ramp\.dev\/subscribe\.healthy\.slack: deploys # the team channel\n/,
    );
    assert.deepEqual(
      r.drops.map((d) => d.path),
      [
        `metadata.annotations[${ARGO}.on-scaling-replica-set.slack]`,
        "metadata.annotations[notifications.argoproj.io/subscriptions]",
      ],
    );
    const service =
      "---\napiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n";
    assert.deepEqual(lint([{ file: "out.yaml", text: text + service }]), []);
  });

  test("an AnalysisTemplate's notification annotation is dropped: ramp subscribes Rollouts", () => {
    const r = convert(`apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: checks
  annotations:
    ${ARGO}.on-rollout-aborted.slack: ops
spec:
  metrics:
    - name: up
      successCondition: result[0] == 1
      provider:
        prometheus: { address: "http://p:9090", query: up }
`);
    assert.equal(annotationsOf(r), undefined);
    assert.match(r.drops[0]?.reason ?? "", /^Argo notification annotation: ramp reads only/);
  });
});
