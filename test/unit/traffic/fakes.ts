// An in-memory cluster for router unit tests: route objects by kind/name, and a writer that applies each
// JSON patch (checking its `test` ops) or server-side apply to them, recording every write.
import { Rollout } from "../../../src/api/index.ts";
import type { RolloutContext } from "../../../src/core/context.ts";
import type { Deps } from "../../../src/core/ports.ts";
import { ROUTE_KINDS, type RouteKind, type RouteObject } from "../../../src/traffic/apis.ts";
import { type JsonPatchOp, jsonEqual, Patcher } from "../../../src/traffic/json-patch.ts";

export type Write = {
  verb: "patch" | "apply" | "delete";
  kind: RouteKind;
  name: string;
  ops?: JsonPatchOp[];
};

export class FakeCluster {
  readonly objects = new Map<string, RouteObject>();
  readonly writes: Write[] = [];
  served = new Set<RouteKind>(ROUTE_KINDS);

  put(kind: RouteKind, obj: RouteObject): void {
    this.objects.set(`${kind}/${obj.metadata.name}`, structuredClone(obj));
  }

  get(kind: RouteKind, name: string): RouteObject | undefined {
    return this.objects.get(`${kind}/${name}`);
  }

  deps(): Deps {
    const caches = {
      routeObject: (kind: RouteKind, _ns: string, name: string) => this.get(kind, name),
      routeObjectsOf: (kind: RouteKind, key: string) =>
        [...this.objects.entries()]
          .filter(
            ([k, o]) => k.startsWith(`${kind}/`) && `ns/${o.metadata.labels?.["ramp.dev/rollout"]}` === key,
          )
          .map(([, o]) => o),
      routeApiServed: (kind: RouteKind) => this.served.has(kind),
    };
    const writer = {
      patchRoute: async (ref: { kind: RouteKind; name: string }, ops: JsonPatchOp[]) => {
        const cur = this.get(ref.kind, ref.name);
        if (!cur) throw new Error(`404 ${ref.kind}/${ref.name}`);
        const p = new Patcher(cur);
        for (const op of ops) {
          if (op.op === "test") {
            if (!jsonEqual(p.get(op.path), op.value)) throw new Error(`422 test failed at ${op.path}`);
          } else if (op.op === "remove") p.remove(op.path);
          else p.add(op.path, op.value);
        }
        this.put(ref.kind, p.doc as RouteObject);
        this.writes.push({ verb: "patch", kind: ref.kind, name: ref.name, ops });
      },
      applyRoute: async (obj: RouteObject & { kind: RouteKind }) => {
        // The apiserver gives a created object its uid.
        const uid = this.get(obj.kind, obj.metadata.name)?.metadata.uid ?? `uid-${obj.metadata.name}`;
        this.put(obj.kind, { ...obj, metadata: { ...obj.metadata, uid } });
        this.writes.push({ verb: "apply", kind: obj.kind, name: obj.metadata.name });
      },
      deleteRoute: async (ref: { kind: RouteKind; name: string }) => {
        this.objects.delete(`${ref.kind}/${ref.name}`);
        this.writes.push({ verb: "delete", kind: ref.kind, name: ref.name });
      },
    };
    return { caches, writer } as unknown as Deps;
  }
}

/** A RolloutContext with just what the routers read, from a canary strategy. */
export function contextFor(canary: Record<string, unknown>): RolloutContext {
  const rollout = Rollout.parse({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "ns", uid: "uid-1" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
      strategy: { canary: { canaryService: "web-canary", stableService: "web-stable", ...canary } },
    },
  });
  return {
    key: "ns/web",
    namespace: "ns",
    name: "web",
    rollout,
    stableHash: "s1",
    currentHash: "c2",
  } as unknown as RolloutContext;
}
