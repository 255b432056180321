// The requests a migration makes, on any object a step names: custom and apps/v1 objects as raw JSON
// (a Deployment's template is hashed as the apiserver sends it), core objects through CoreV1Api.
import type { KubeConfig } from "@kubernetes/client-node";
import { k8s } from "../k8s.ts";
import type { Target } from "./steps.ts";

export type Api = Omit<Target, "namespace" | "name">;

/** Who the writes are recorded as (managedFields). */
const FIELD_MANAGER = "kubectl-ramp";

export interface MigrateClient {
  /** The object, or undefined when it does not exist (or its API is not served). */
  get(t: Target): Promise<unknown>;
  /** Objects of one kind in a namespace; empty when the API is not served. */
  list(api: Api, namespace: string, labelSelector?: string): Promise<unknown[]>;
  patch(t: Target, body: unknown, type: "merge" | "json"): Promise<unknown>;
  /** Creates the object (with `dryRun`, returns it as the apiserver would store it and writes nothing). */
  create(t: Target, body: object, opts?: { dryRun?: boolean }): Promise<unknown>;
  /** Deletes the object (only the one with `uid`, when given); a missing object is not an error. */
  delete(t: Target, propagationPolicy: "Orphan" | "Background", uid?: string): Promise<void>;
}

export const notFound = (err: unknown): boolean => err instanceof k8s().ApiException && err.code === 404;
export const conflict = (err: unknown): boolean => err instanceof k8s().ApiException && err.code === 409;

const CORE = new Set(["services", "pods", "configmaps", "secrets"]);

export function migrateClient(kc: KubeConfig): MigrateClient {
  const custom = kc.makeApiClient(k8s().CustomObjectsApi);
  const core = kc.makeApiClient(k8s().CoreV1Api);
  const header = (type: "merge" | "json") =>
    k8s().setHeaderOptions(
      "Content-Type",
      type === "json" ? k8s().PatchStrategy.JsonPatch : k8s().PatchStrategy.MergePatch,
    );
  const coreOnly = (t: Api) => {
    if (!CORE.has(t.plural)) throw new Error(`kubectl ramp migrate does not handle core ${t.plural}`);
  };

  async function get(t: Target): Promise<unknown> {
    try {
      if (t.group !== "") {
        const at = { group: t.group, version: t.version, plural: t.plural, name: t.name };
        return t.namespace === ""
          ? await custom.getClusterCustomObject(at)
          : await custom.getNamespacedCustomObject({ ...at, namespace: t.namespace });
      }
      coreOnly(t);
      const ref = { name: t.name, namespace: t.namespace };
      if (t.plural === "services") return await core.readNamespacedService(ref);
      if (t.plural === "pods") return await core.readNamespacedPod(ref);
      if (t.plural === "configmaps") return await core.readNamespacedConfigMap(ref);
      return await core.readNamespacedSecret(ref);
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async function list(t: Api, namespace: string, labelSelector?: string): Promise<unknown[]> {
    const q = { namespace, ...(labelSelector ? { labelSelector } : {}) };
    try {
      if (t.group !== "") {
        const res = (await custom.listNamespacedCustomObject({
          group: t.group,
          version: t.version,
          plural: t.plural,
          ...q,
        })) as { items?: unknown[] };
        return res.items ?? [];
      }
      coreOnly(t);
      if (t.plural === "services") return (await core.listNamespacedService(q)).items;
      if (t.plural === "pods") return (await core.listNamespacedPod(q)).items;
      if (t.plural === "configmaps") return (await core.listNamespacedConfigMap(q)).items;
      return (await core.listNamespacedSecret(q)).items;
    } catch (err) {
      if (notFound(err)) return [];
      throw err;
    }
  }

  async function patch(t: Target, body: unknown, type: "merge" | "json"): Promise<unknown> {
    const opts = header(type);
    if (t.group !== "") {
      const at = {
        group: t.group,
        version: t.version,
        plural: t.plural,
        name: t.name,
        body,
        fieldManager: FIELD_MANAGER,
      };
      return t.namespace === ""
        ? custom.patchClusterCustomObject(at, opts)
        : custom.patchNamespacedCustomObject({ ...at, namespace: t.namespace }, opts);
    }
    coreOnly(t);
    const req = { name: t.name, namespace: t.namespace, body, fieldManager: FIELD_MANAGER };
    if (t.plural === "services") return core.patchNamespacedService(req, opts);
    if (t.plural === "pods") return core.patchNamespacedPod(req, opts);
    if (t.plural === "configmaps") return core.patchNamespacedConfigMap(req, opts);
    return core.patchNamespacedSecret(req, opts);
  }

  async function create(t: Target, body: object, opts: { dryRun?: boolean } = {}): Promise<unknown> {
    if (t.group === "") throw new Error(`kubectl ramp migrate creates no core ${t.plural}`);
    const at = {
      group: t.group,
      version: t.version,
      plural: t.plural,
      body,
      fieldManager: FIELD_MANAGER,
      // An unknown field is refused, not silently dropped: the converter's output is taken as it is or not at all.
      fieldValidation: "Strict",
      ...(opts.dryRun ? { dryRun: "All" } : {}),
    };
    return t.namespace === ""
      ? custom.createClusterCustomObject(at)
      : custom.createNamespacedCustomObject({ ...at, namespace: t.namespace });
  }

  async function del(t: Target, propagationPolicy: "Orphan" | "Background", uid?: string): Promise<void> {
    if (t.group === "") throw new Error(`kubectl ramp migrate deletes no core ${t.plural}`);
    const at = {
      group: t.group,
      version: t.version,
      plural: t.plural,
      name: t.name,
      propagationPolicy,
      body: { propagationPolicy, ...(uid ? { preconditions: { uid } } : {}) },
    };
    try {
      await (t.namespace === ""
        ? custom.deleteClusterCustomObject(at)
        : custom.deleteNamespacedCustomObject({ ...at, namespace: t.namespace }));
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  return { get, list, patch, create, delete: del };
}
