// Route objects in tests: applied as another field manager (a GitOps tool), read back, and every version
// recorded from a watch, so tests can assert the order of writes across kinds by resourceVersion (the
// etcd revision: one total order of every write this apiserver made).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { kubectl } from "../../../dev/kube.ts";
import { type Follower, follow } from "../../../dev/watch.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { collectionPath, ROUTE_APIS, type RouteKind } from "../../../src/traffic/apis.ts";

export type RouteObj = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown }[];
  };
  spec?: Record<string, unknown>;
};
export type Version = { type: string; kind: RouteKind; rv: number; obj: RouteObj };

export const rvOf = (o: { metadata?: { resourceVersion?: string } }): number =>
  Number(o.metadata?.resourceVersion ?? 0);

/** Every version of every routing object in a namespace, as a watch delivers them. */
export class RouteHistory {
  readonly versions: Version[] = [];
  readonly #followers: Follower[] = [];

  static async start(kc: KubeConfig, namespace: string): Promise<RouteHistory> {
    const h = new RouteHistory();
    for (const kind of Object.keys(ROUTE_APIS) as RouteKind[]) {
      h.#followers.push(
        await follow<RouteObj>(kc, collectionPath(kind, namespace), (type, obj) =>
          h.versions.push({ type, kind, rv: rvOf(obj), obj }),
        ),
      );
    }
    return h;
  }

  stop(): void {
    for (const f of this.#followers) f.stop();
  }

  of(kind: RouteKind, name: string): Version[] {
    return this.versions.filter((v) => v.kind === kind && v.obj.metadata.name === name);
  }
}

/** Server-side applies a fixture (test/fixtures/<file>, `${VAR}` replaced) as field manager `manager`. */
export async function applyFixtureAs(
  manager: string,
  namespace: string,
  file: string,
  vars: Record<string, string>,
): Promise<void> {
  let text = readFileSync(join(repoRoot, "test", "fixtures", file), "utf8");
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`\${${k}}`, v);
  const left = text.match(/\$\{[A-Z_]+\}/);
  if (left) throw new Error(`${file}: ${left[0]} has no value`);
  await applyAs(manager, namespace, text);
}

/** Server-side applies YAML or JSON as `manager` (forced, as a GitOps tool syncing would). */
export async function applyAs(manager: string, namespace: string, text: string): Promise<void> {
  const res = await kubectl(
    ["apply", "--server-side", "--force-conflicts", `--field-manager=${manager}`, "-n", namespace, "-f", "-"],
    { input: text },
  );
  if (res.code !== 0) throw new Error(`kubectl apply as ${manager}: ${res.stderr}`);
}

/** Reads a routing object straight from the apiserver (managedFields included), or undefined when absent. */
export async function getRoute(
  kc: KubeConfig,
  kind: RouteKind,
  namespace: string,
  name: string,
): Promise<RouteObj | undefined> {
  const api = ROUTE_APIS[kind];
  try {
    return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: api.group,
      version: api.version,
      namespace,
      plural: api.plural,
      name,
    })) as RouteObj;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** The field managers that own something in an object. */
export const managersOf = (o: RouteObj): string[] =>
  (o.metadata.managedFields ?? []).map((m) => m.manager ?? "");

/** The apiserver's current revision (a LIST's resourceVersion): every write so far is at or below it. */
export async function currentRevision(kc: KubeConfig, namespace: string): Promise<number> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace, limit: 1 });
  return Number(list.metadata?.resourceVersion ?? 0);
}
