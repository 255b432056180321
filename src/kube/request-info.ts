// Turns an apiserver request (method + URL) into the verb and resource Kubernetes itself would log, the
// way the apiserver's RequestInfoFactory does, so metric labels match audit logs and RBAC rules.

/** The verb and resource of one request, e.g. { verb: "patch", resource: "rollouts/status" }. */
export interface RequestInfo {
  /** get, list, watch, create, update, patch, delete, deletecollection; or the method for other paths. */
  verb: string;
  /**
   * The plural resource, with "/subresource" when there is one (as RBAC writes it: "rollouts/status");
   * "discovery" for /api and /apis group listings, "nonresource" for paths such as /version.
   */
  resource: string;
}

// Subresources of a Namespace itself, which the path shape alone cannot tell from a namespaced resource.
const namespaceSubresources = new Set(["status", "finalize"]);

/** Describes a request from its HTTP method and URL (absolute, or a path with an optional query). */
export function describeRequest(method: string, url: string): RequestInfo {
  const parsed = new URL(url, "http://apiserver.invalid");
  const upper = method.toUpperCase();
  const parts = parsed.pathname.split("/").filter((p) => p !== "");
  let rest: string[];
  if (parts[0] === "api") rest = parts.slice(2);
  else if (parts[0] === "apis") rest = parts.slice(3);
  else return { verb: upper.toLowerCase(), resource: "nonresource" };
  // /api/v1 or /apis/apps/v1 (or less): discovery documents, not resources.
  if (rest.length === 0) return { verb: upper.toLowerCase(), resource: "discovery" };

  let watch = isTrue(parsed.searchParams.get("watch"));
  if (rest[0] === "watch") {
    // The deprecated /watch/ path prefix.
    watch = true;
    rest = rest.slice(1);
  }
  if (rest[0] === "namespaces" && rest.length >= 3 && !namespaceSubresources.has(rest[2] ?? "")) {
    rest = rest.slice(2);
  }
  const [resource = "", name, subresource] = rest;
  const label = subresource === undefined ? resource : `${resource}/${subresource}`;
  return { verb: verbOf(upper, name !== undefined, watch), resource: label };
}

function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case "GET":
    case "HEAD":
      if (watch) return "watch";
      return named ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

function isTrue(value: string | null): boolean {
  return value === "true" || value === "1";
}
