// Secret reads for analysis (auth, args) and notifications (webhook URLs, tokens): by name, on demand.
import type { V1Secret } from "@kubernetes/client-node";
import { type Clients, statusCodeOf } from "../kube/client.ts";

const SECRET_TTL_MS = 30_000;

/** Secret reads: on demand, cached briefly, values never logged. */
export function secretReader(clients: Clients) {
  const cache = new Map<string, { at: number; data: Record<string, string> }>();
  return async (namespace: string, name: string, key: string): Promise<string> => {
    const id = `${namespace}/${name}`;
    let entry = cache.get(id);
    if (!entry || Date.now() - entry.at > SECRET_TTL_MS) {
      try {
        const secret = await clients.request<V1Secret>(
          "GET",
          `/api/v1/namespaces/${namespace}/secrets/${name}`,
        );
        entry = { at: Date.now(), data: secret.data ?? {} };
        cache.set(id, entry);
      } catch (err) {
        if (statusCodeOf(err) === 404)
          throw new Error(`Secret "${name}" does not exist in namespace "${namespace}"`);
        throw new Error(
          `reading Secret "${name}" in namespace "${namespace}" failed (HTTP ${statusCodeOf(err) ?? "error"})`,
        );
      }
    }
    const value = entry.data[key];
    if (value === undefined) throw new Error(`Secret "${name}" has no key "${key}"`);
    return Buffer.from(value, "base64").toString("utf8");
  };
}
