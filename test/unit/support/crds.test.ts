import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { establishedPending } from "../../../dev/crds.ts";

const crd = (name: string, conditions?: { type: string; status: string }[]) => ({
  metadata: { name },
  status: conditions ? { conditions } : {},
});

describe("establishedPending", () => {
  test("a CRD created a moment ago has no conditions yet: pending, not an error", () => {
    assert.deepEqual(establishedPending({ items: [crd("a.x")] }, ["a.x"]), ["a.x"]);
  });
  test("Established=True is ready; False, other conditions or absence are pending", () => {
    const list = {
      items: [
        crd("a.x", [{ type: "Established", status: "True" }]),
        crd("b.x", [{ type: "Established", status: "False" }]),
        crd("c.x", [{ type: "NamesAccepted", status: "True" }]),
      ],
    };
    assert.deepEqual(establishedPending(list, ["a.x", "b.x", "c.x", "d.x"]), ["b.x", "c.x", "d.x"]);
  });
  test("one name: kubectl prints the object itself, not a List", () => {
    assert.deepEqual(establishedPending(crd("a.x", [{ type: "Established", status: "True" }]), ["a.x"]), []);
  });
});
