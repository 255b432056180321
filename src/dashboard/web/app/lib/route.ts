// The two pages and how a path names them (PAGES in the contract builds the paths).
export type Route =
  | { page: "overview" }
  | { page: "rollout"; namespace: string; name: string }
  | { page: "notFound"; path: string };

const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "overview" };
  const m = /^\/rollouts\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  const namespace = m?.[1] === undefined ? undefined : decode(m[1]);
  const name = m?.[2] === undefined ? undefined : decode(m[2]);
  if (namespace && name) return { page: "rollout", namespace, name };
  return { page: "notFound", path: pathname };
}
