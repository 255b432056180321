// Scale-down delays as a table: who waits out scaleDownDelaySeconds, and scaleDownDelayRevisionLimit's cap.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { REVISION_ANNOTATION, SCALE_DOWN_AT_ANNOTATION } from "../../../../src/api/labels.ts";
import type { RolloutContext } from "../../../../src/core/context.ts";
import { scaleDownDelays, stillDraining } from "../../../../src/strategy/shared/scale-down.ts";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const ctx = { now: NOW } as RolloutContext;
const rs = (name: string, revision: number, replicas: number, at?: string): V1ReplicaSet => ({
  metadata: {
    name,
    labels: { "ramp.dev/pod-template-hash": name },
    annotations: {
      [REVISION_ANNOTATION]: String(revision),
      ...(at ? { [SCALE_DOWN_AT_ANNOTATION]: at } : {}),
    },
  },
  spec: { replicas, selector: {} },
});
const current = rs("v4", 4, 3);
const later = "2026-01-01T12:00:30Z";

describe("scale-down delays", () => {
  test("every old version with pods waits out the delay; its deadline is stamped once", () => {
    const [v3, v2] = [rs("v3", 3, 3), rs("v2", 2, 3, later)];
    const d = scaleDownDelays(ctx, current, [v3, v2], 30_000);
    assert.deepEqual([d.held(v3), d.held(v2), d.deadlines.length], [true, true, 2]);
    assert.deepEqual(
      d.writes.map((w) =>
        w.op === "annotate" ? `${w.name} ${w.annotations[SCALE_DOWN_AT_ANNOTATION]}` : w.op,
      ),
      ["v3 2026-01-01T12:00:30.000Z"],
    );
  });

  test("scaleDownDelayRevisionLimit 1: only the newest old version waits; an older one's stamp is cleared", () => {
    const v3 = rs("v3", 3, 3, later);
    const v2 = rs("v2", 2, 3, later);
    const d = scaleDownDelays(ctx, current, [v2, v3], 30_000, 1);
    assert.deepEqual([d.held(v3), d.held(v2)], [true, false]);
    assert.deepEqual(
      d.writes.map((w) =>
        w.op === "annotate" ? `${w.name} ${w.annotations[SCALE_DOWN_AT_ANNOTATION]}` : w.op,
      ),
      ["v2 null"],
    );
  });

  test("during a rollout: draining versions are held until their deadline, within the limit", () => {
    const v3 = rs("v3", 3, 3, later);
    const v2 = rs("v2", 2, 3, later);
    assert.deepEqual([...stillDraining(ctx, [v2, v3]).held].map((r) => r.metadata?.name).sort(), [
      "v2",
      "v3",
    ]);
    assert.deepEqual(
      [...stillDraining(ctx, [v2, v3], 1).held].map((r) => r.metadata?.name),
      ["v3"],
    );
    assert.deepEqual(stillDraining({ now: Date.parse(later) + 1 } as RolloutContext, [v3]).held.size, 0);
  });
});
