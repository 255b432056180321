// Role metadata as a table: what a ReplicaSet's record says against what its role wants, and the writes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { EPHEMERAL_ANNOTATION } from "../../../../src/api/labels.ts";
import { recordOf, roleWrites, withRole } from "../../../../src/strategy/shared/ephemeral.ts";

const rs = (record?: string): V1ReplicaSet => ({
  metadata: {
    name: "web-h",
    uid: "u1",
    ...(record ? { annotations: { [EPHEMERAL_ANNOTATION]: record } } : {}),
  },
  spec: {
    selector: { matchLabels: { app: "web", "ramp.dev/pod-template-hash": "h" } },
    template: { metadata: { labels: { app: "web", "ramp.dev/pod-template-hash": "h" } } },
  },
});
const canary = { labels: { role: "canary" }, annotations: { note: "c" } };
const stable = { labels: { role: "stable" } };

describe("role metadata", () => {
  test("no role metadata and no record: no write (Rollouts without it cost nothing)", () => {
    assert.deepEqual(roleWrites([[rs(), undefined]]), []);
  });

  test("a record that already says the role: no write", () => {
    assert.deepEqual(roleWrites([[rs(recordOf(canary)), canary]]), []);
  });

  test("canary → stable: role changes, the canary-only annotation is removed, the new record follows", () => {
    const [w] = roleWrites([[rs(recordOf(canary)), stable]]);
    assert.deepEqual(w, {
      op: "roleMetadata",
      name: "web-h",
      uid: "u1",
      selector: { app: "web", "ramp.dev/pod-template-hash": "h" },
      labels: { role: "stable" },
      annotations: { note: null },
      record: recordOf(stable),
    });
  });

  test("role metadata removed from the spec: every key it added goes, and so does the record", () => {
    const [w] = roleWrites([[rs(recordOf(canary)), undefined]]);
    assert.deepEqual(
      [w?.op === "roleMetadata" && w.labels, w?.op === "roleMetadata" && w.record],
      [{ role: null }, null],
    );
  });

  test("a mangled record is treated as nothing applied: everything is written again", () => {
    const [w] = roleWrites([[rs("{not json"), stable]]);
    assert.deepEqual(w?.op === "roleMetadata" && w.labels, { role: "stable" });
  });

  test("a ReplicaSet created for a role carries it in its pod template and records it; its own labels win", () => {
    const created = withRole(rs(), { labels: { role: "canary", app: "other" }, annotations: { note: "c" } });
    assert.deepEqual(created.spec?.template?.metadata?.labels, {
      role: "canary",
      app: "web",
      "ramp.dev/pod-template-hash": "h",
    });
    assert.deepEqual(created.spec?.template?.metadata?.annotations, { note: "c" });
    assert.equal(
      created.metadata?.annotations?.[EPHEMERAL_ANNOTATION],
      recordOf({ labels: { role: "canary", app: "other" }, annotations: { note: "c" } }),
    );
    const plain = rs();
    assert.equal(withRole(plain, undefined), plain, "no role metadata: the ReplicaSet as built");
  });
});
