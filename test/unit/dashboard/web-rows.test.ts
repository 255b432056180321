// The overview's rows: events upsert into one Map (only the changed row gets a new object), filters by
// name, label and phase, and grouping that keeps an unchanged namespace's group object for memoisation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RolloutSummary } from "../../../src/dashboard/contract.ts";
import {
  applyOverviewEvent,
  type Filter,
  groupRows,
  matchesFilter,
  NO_FILTER,
  parseLabelSelector,
  rowKey,
} from "../../../src/dashboard/web/app/lib/rows.ts";

const row = (namespace: string, name: string, extra: Partial<RolloutSummary> = {}): RolloutSummary => ({
  namespace,
  name,
  labels: {},
  phase: "Healthy",
  strategy: "canary",
  images: [`app=${name}:1`],
  createdAt: "2026-01-01T00:00:00Z",
  resourceVersion: "1",
  ...extra,
});

describe("dashboard web: applyOverviewEvent", () => {
  test("a snapshot replaces everything", () => {
    const rows = new Map([[rowKey("x", "gone"), row("x", "gone")]]);
    assert.equal(
      applyOverviewEvent(rows, { type: "snapshot", rollouts: [row("a", "web"), row("b", "api")] }),
      true,
    );
    assert.deepEqual([...rows.keys()], ["a/web", "b/api"]);
  });

  test("a re-sent snapshot keeps the objects of unchanged rows (so they do not re-render)", () => {
    const web = row("a", "web");
    const rows = new Map([[rowKey("a", "web"), web]]);
    applyOverviewEvent(rows, { type: "snapshot", rollouts: [row("a", "web")] });
    assert.equal(rows.get("a/web"), web);
    applyOverviewEvent(rows, { type: "snapshot", rollouts: [row("a", "web", { resourceVersion: "2" })] });
    assert.notEqual(rows.get("a/web"), web);
  });

  test("an upsert replaces only its own row", () => {
    const api = row("b", "api");
    const rows = new Map([
      [rowKey("a", "web"), row("a", "web")],
      [rowKey("b", "api"), api],
    ]);
    const next = row("a", "web", { weight: 20, resourceVersion: "5" });
    assert.equal(applyOverviewEvent(rows, { type: "upsert", rollout: next }), true);
    assert.equal(rows.get("a/web"), next);
    assert.equal(rows.get("b/api"), api);
  });

  test("an upsert adds a new row", () => {
    const rows = new Map<string, RolloutSummary>();
    assert.equal(applyOverviewEvent(rows, { type: "upsert", rollout: row("a", "web") }), true);
    assert.equal(rows.size, 1);
  });

  test("a stale or repeated upsert changes nothing", () => {
    const current = row("a", "web", { resourceVersion: "10" });
    const rows = new Map([[rowKey("a", "web"), current]]);
    assert.equal(
      applyOverviewEvent(rows, { type: "upsert", rollout: row("a", "web", { resourceVersion: "9" }) }),
      false,
    );
    assert.equal(
      applyOverviewEvent(rows, { type: "upsert", rollout: row("a", "web", { resourceVersion: "10" }) }),
      false,
    );
    assert.equal(rows.get("a/web"), current);
  });

  test("a delete removes the row, and deleting an unknown row changes nothing", () => {
    const rows = new Map([[rowKey("a", "web"), row("a", "web")]]);
    assert.equal(applyOverviewEvent(rows, { type: "delete", namespace: "a", name: "web" }), true);
    assert.equal(applyOverviewEvent(rows, { type: "delete", namespace: "a", name: "web" }), false);
    assert.equal(rows.size, 0);
  });
});

describe("dashboard web: filters", () => {
  const r = row("a", "checkout-web", { labels: { app: "web", tier: "front" }, phase: "Paused" });
  const f = (over: Partial<Filter>): Filter => ({ ...NO_FILTER, ...over });
  const cases: [string, Partial<Filter>, boolean][] = [
    ["no filter", {}, true],
    ["name substring, any case", { name: "OUT-w" }, true],
    ["name not contained", { name: "api" }, false],
    ["label key=value", { label: "app=web" }, true],
    ["label with a wrong value", { label: "app=api" }, false],
    ["two labels, both match", { label: "app=web, tier=front" }, true],
    ["two labels, one misses", { label: "app=web,tier=back" }, false],
    ["a bare key asks only that it exists", { label: "tier" }, true],
    ["a missing key", { label: "team" }, false],
    ["phase matches", { phase: "Paused" }, true],
    ["phase differs", { phase: "Healthy" }, false],
    ["all three", { name: "web", label: "app=web", phase: "Paused" }, true],
  ];
  for (const [what, filter, want] of cases) test(what, () => assert.equal(matchesFilter(r, f(filter)), want));

  test("parseLabelSelector trims and skips empty parts", () =>
    assert.deepEqual(parseLabelSelector(" app = web ,, tier "), [
      ["app", "web"],
      ["tier", undefined],
    ]));
});

describe("dashboard web: groupRows", () => {
  test("groups by namespace, namespaces and names sorted, filtered", () => {
    const groups = groupRows(
      [row("b", "z"), row("a", "y", { phase: "Degraded" }), row("b", "x"), row("a", "w")],
      { ...NO_FILTER, phase: "Healthy" },
    );
    assert.deepEqual(
      groups.map((g) => [g.namespace, g.rows.map((r) => r.name)]),
      [
        ["a", ["w"]],
        ["b", ["x", "z"]],
      ],
    );
  });

  test("an unchanged namespace keeps its group object; the changed one gets a new one", () => {
    const rows = new Map<string, RolloutSummary>();
    const all: RolloutSummary[] = [];
    for (let i = 0; i < 1000; i++) all.push(row(`ns-${i % 10}`, `r-${i}`));
    applyOverviewEvent(rows, { type: "snapshot", rollouts: all });
    const first = groupRows(rows.values(), NO_FILTER);
    assert.equal(first.length, 10);
    assert.equal(
      first.reduce((n, g) => n + g.rows.length, 0),
      1000,
    );
    applyOverviewEvent(rows, {
      type: "upsert",
      rollout: row("ns-3", "r-3", { weight: 50, resourceVersion: "2" }),
    });
    const second = groupRows(rows.values(), NO_FILTER, first);
    const changed = second.filter((g, i) => g !== first[i]).map((g) => g.namespace);
    assert.deepEqual(changed, ["ns-3"]);
    // Inside the changed group, every other row is the same object.
    const g3 = second.find((g) => g.namespace === "ns-3");
    const old3 = first.find((g) => g.namespace === "ns-3");
    assert.ok(g3 && old3);
    assert.equal(g3.rows.filter((r, i) => r !== old3.rows[i]).length, 1);
  });
});
