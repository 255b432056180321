// A scripted apiserver for the dashboard server: TokenReview and (Self)SubjectAccessReview answers the test
// decides, collections to LIST, watches the test feeds, and a record of every request.
import type { KubernetesObject } from "@kubernetes/client-node";
import { ApiError, type Clients, type RawList, type WatchEvent } from "../../../src/kube/client.ts";
import { FakeStream } from "../kube/fake-source.ts";

export type Attrs = {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  subresource?: string;
  name?: string;
};
export type Who = { user: string; groups: string[] } | "self";

export class FakeClients implements Clients {
  readonly server = "https://fake.invalid";
  readonly namespace = "default";
  /** Collection path → objects; LIST answers these, GET by name finds them. */
  readonly collections = new Map<string, KubernetesObject[]>();
  /** Token → user, as TokenReview would say. */
  readonly tokens = new Map<string, { username: string; groups: string[]; uid?: string }>();
  /** The authorizer: true allows. Default allows nothing. */
  decide: (who: Who, a: Attrs) => boolean = () => false;
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  readonly streams = new Map<string, FakeStream>();
  /** Collections whose LIST answers 403, as for credentials without that right. */
  readonly forbiddenLists = new Set<string>();
  #rv = 1000;

  set(path: string, objects: KubernetesObject[]): void {
    this.collections.set(path, objects);
  }

  count(pathPart: string): number {
    return this.requests.filter((r) => r.path.includes(pathPart)).length;
  }

  /** Feeds a watch event to the informer watching `path` (waits until it watches). */
  async push(path: string, type: WatchEvent["type"], object: KubernetesObject): Promise<void> {
    for (let i = 0; i < 200 && !this.streams.has(path); i++) await new Promise((r) => setTimeout(r, 5));
    const stream = this.streams.get(path);
    if (!stream) throw new Error(`nobody watches ${path}`);
    const withRv = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.#rv) } };
    stream.push({ type, object: withRv });
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.requests.push({ method, path, body });
    const b = body as { spec?: Record<string, unknown> } | undefined;
    if (path.endsWith("/tokenreviews")) {
      const user = this.tokens.get(String(b?.spec?.token));
      return { status: user ? { authenticated: true, user } : { authenticated: false } } as T;
    }
    if (path.endsWith("/selfsubjectreviews"))
      return { status: { userInfo: { username: "me@example.com", groups: ["devs"] } } } as T;
    if (path.endsWith("/subjectaccessreviews") || path.endsWith("/selfsubjectaccessreviews")) {
      const spec = b?.spec as { user?: string; groups?: string[]; resourceAttributes: Attrs };
      const who: Who = path.includes("self") ? "self" : { user: spec.user ?? "", groups: spec.groups ?? [] };
      return { status: { allowed: this.decide(who, spec.resourceAttributes) } } as T;
    }
    const found = this.#find(path.replace(/\/status$/, ""));
    if (method === "GET" && found) return structuredClone(found) as T;
    if (method === "PATCH" && found) return structuredClone(found) as T;
    throw new ApiError(404, `${method} ${path}: not found`, { code: 404 }, {});
  }

  #find(objectPath: string): KubernetesObject | undefined {
    const name = objectPath.slice(objectPath.lastIndexOf("/") + 1);
    const collection = objectPath.slice(0, objectPath.lastIndexOf("/"));
    const ns = /\/namespaces\/([^/]+)\//.exec(objectPath)?.[1];
    const all = [this.collections.get(collection) ?? [], ...this.#clusterWide(collection)].flat();
    return all.find((o) => o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns));
  }

  // A namespaced path also finds objects stored under the cluster-wide collection.
  #clusterWide(collection: string): KubernetesObject[][] {
    const wide = collection.replace(/\/namespaces\/[^/]+/, "");
    return wide === collection ? [] : [this.collections.get(wide) ?? []];
  }

  async list(path: string, query: Record<string, string>): Promise<RawList> {
    this.requests.push({ method: "GET", path: `${path}?${new URLSearchParams(query)}` });
    if (this.forbiddenLists.has(path)) throw new ApiError(403, `GET ${path}: forbidden`, { code: 403 }, {});
    return {
      metadata: { resourceVersion: String(this.#rv) },
      items: structuredClone(this.collections.get(path) ?? []),
    };
  }

  async watch(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AsyncIterable<WatchEvent>> {
    const stream = new FakeStream(query, signal);
    this.streams.set(path, stream);
    return stream;
  }

  async close(): Promise<void> {}
}
