// Creating objects through the API and reading back the apiserver's rejection messages.
import { ApiException, type KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { KubeObject } from "../../dev/yaml.ts";

/** The apiserver's own message from a failed request (its Status object), or the error's text. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === "string" ? safeJson(err.body) : err.body;
    if (body && typeof body === "object" && "message" in body && typeof body.message === "string")
      return body.message;
    return String(err.body);
  }
  return err instanceof Error ? err.message : String(err);
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Creates an object; resolves to undefined on success, or the apiserver's rejection message. */
export async function tryCreate(
  kc: KubeConfig,
  obj: KubeObject,
  namespace: string,
): Promise<string | undefined> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  try {
    await api.create({ ...obj, metadata: { ...obj.metadata, namespace } });
    return undefined;
  } catch (err) {
    return apiMessage(err);
  }
}
