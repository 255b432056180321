// The JSON API of contract.ts: /api/me, the streams, a Rollout's detail, actions, login and logout. Every
// route but login needs a credential; every POST needs the CSRF token; every read and action is a review.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ActionRefused } from "../../cli/actions/actions.ts";
import { statusCodeOf } from "../../kube/client.ts";
import { DASHBOARD_ACTIONS, type DashboardAction, type Me } from "../contract.ts";
import { runAction } from "./actions.ts";
import { audit } from "./audit.ts";
import type { AuthOutcome } from "./auth.ts";
import type { ClusterAuth } from "./auth-cluster.ts";
import type { LocalAuth } from "./auth-local.ts";
import { describeRule } from "./authz.ts";
import { actionAttributes, buildDetail, type DetailDeps, mayGet } from "./detail.ts";
import { clientAddress, HttpError, readJson, sendJson } from "./http.ts";
import type { Viewer } from "./identity.ts";
import { type Sessions, sessionCookie } from "./sessions.ts";
import { detailStream, overviewStream } from "./sse.ts";

export type ApiContext = DetailDeps & {
  mode: "local" | "cluster";
  sessions: Sessions;
  auth: { mode: "local"; local: LocalAuth } | { mode: "cluster"; cluster: ClusterAuth };
  heartbeatMs: number;
};

// Kubernetes object names: DNS labels or subdomains, so nothing decoded from the URL can walk an API path.
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function authenticate(ctx: ApiContext, req: IncomingMessage): Promise<AuthOutcome> {
  return ctx.auth.mode === "local"
    ? ctx.auth.local.authenticate(req)
    : ctx.auth.cluster.authenticate(req, clientAddress(req));
}

function refuse(outcome: Exclude<AuthOutcome, { kind: "ok" }>): HttpError {
  if (outcome.kind === "limited")
    return new HttpError(429, "too many failed authentications: wait and try again", {
      "Retry-After": String(outcome.retryAfterSeconds),
    });
  return new HttpError(
    401,
    outcome.kind === "denied" ? "the credential was not accepted" : "not authenticated",
  );
}

function checkCsrf(req: IncomingMessage, viewer: Viewer): void {
  const sent = Buffer.from(String(req.headers["x-csrf-token"] ?? ""));
  const want = Buffer.from(viewer.csrfToken);
  if (sent.length !== want.length || !timingSafeEqual(sent, want))
    throw new HttpError(403, "missing or wrong X-CSRF-Token header (GET /api/me gives it)");
}

const me = (ctx: ApiContext, v: Viewer): Me => ({
  user: v.user,
  groups: v.groups,
  mode: ctx.mode,
  csrfToken: v.csrfToken,
});

/** Handles one /api request; throws HttpError for the answers that are errors. */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  if (method === "POST" && path === "/api/login") return login(ctx, req, res);
  const outcome = await authenticate(ctx, req);
  if (outcome.kind !== "ok") throw refuse(outcome);
  const { viewer, revalidate } = outcome;
  if (method === "POST") checkCsrf(req, viewer);
  else if (method !== "GET") throw new HttpError(405, "method not allowed");

  if (method === "GET" && path === "/api/me") return sendJson(req, res, 200, me(ctx, viewer));
  if (method === "POST" && path === "/api/logout") {
    if (viewer.sessionId) ctx.sessions.delete(viewer.sessionId);
    return sendJson(req, res, 200, { message: "logged out" }, { "Set-Cookie": sessionCookie(undefined) });
  }
  if (method === "GET" && path === "/api/rollouts/stream")
    return overviewStream(ctx, req, res, viewer, revalidate, ctx.heartbeatMs);

  const parts = path.split("/").slice(3).map(decodeSegment);
  const [namespace, name, sub, action] = parts;
  if (namespace === undefined || name === undefined || !NAME.test(namespace) || !NAME.test(name))
    throw new HttpError(404, "not found");
  const ref = { namespace, name };
  if (method === "GET" && parts.length === 2) {
    const detail = (await mayGet(ctx, viewer, namespace, name))
      ? await buildDetail(ctx, viewer, namespace, name)
      : undefined;
    if (!detail) throw notFound(ref);
    return sendJson(req, res, 200, detail);
  }
  if (method === "GET" && parts.length === 3 && sub === "stream") {
    if (!(await mayGet(ctx, viewer, namespace, name)) || !ctx.store.rollout(namespace, name))
      throw notFound(ref);
    return detailStream(ctx, req, res, viewer, ref, revalidate, ctx.heartbeatMs);
  }
  if (method === "POST" && parts.length === 4 && sub === "actions" && action !== undefined)
    return act(ctx, req, res, viewer, ref, action);
  throw new HttpError(404, "not found");
}

const notFound = (ref: { namespace: string; name: string }) =>
  new HttpError(404, `rollout ${ref.namespace}/${ref.name} not found`);

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return "";
  }
}

async function act(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  viewer: Viewer,
  ref: { namespace: string; name: string },
  name: string,
): Promise<void> {
  if (!(DASHBOARD_ACTIONS as readonly string[]).includes(name))
    throw new HttpError(400, `unknown action "${name}"`);
  const action = name as DashboardAction;
  const body = await readJson(req);
  const record = (outcome: Parameters<typeof audit>[4], message: string) =>
    audit(ctx.log, viewer, action, ref, outcome, message);
  // Not allowed to see it: the same 404 as a Rollout that does not exist.
  if (!(await mayGet(ctx, viewer, ref.namespace, ref.name))) {
    record("not_found", "may not get the rollout");
    throw notFound(ref);
  }
  const attrs = actionAttributes(ref.namespace, ref.name, action);
  if (!(await ctx.authz.allowed(viewer, attrs))) {
    const message = `forbidden: ${viewer.user} may not ${describeRule(attrs)} (needed for ${action})`;
    record("forbidden", message);
    throw new HttpError(403, message);
  }
  const reason =
    typeof body === "object" && body !== null && "reason" in body && typeof body.reason === "string"
      ? body.reason
      : undefined;
  try {
    const answer = await runAction(ctx.clients, viewer.user, ref, action, { reason });
    record("done", answer.message);
    return sendJson(req, res, 200, answer);
  } catch (err) {
    if (err instanceof ActionRefused) {
      record("refused", err.message);
      throw new HttpError(409, err.message);
    }
    const code = statusCodeOf(err);
    if (code === 404) {
      record("not_found", "the apiserver has no such rollout");
      throw notFound(ref);
    }
    if (code === 409 || code === 422) {
      record("refused", "the rollout changed meanwhile");
      throw new HttpError(409, "the rollout changed while the action was applied: look again and retry");
    }
    ctx.log.error({ err, action, ...ref }, "dashboard action failed");
    record("failed", err instanceof Error ? err.message : String(err));
    throw new HttpError(502, `${action} failed: the apiserver did not accept it (see the dashboard's log)`);
  }
}

async function login(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (ctx.auth.mode !== "cluster")
    throw new HttpError(404, "not found: the local dashboard takes its one-time URL");
  const body = await readJson(req);
  const token = typeof body === "object" && body !== null && "token" in body ? body.token : undefined;
  if (typeof token !== "string") throw new HttpError(400, 'send {"token": "<a Kubernetes bearer token>"}');
  const outcome = await ctx.auth.cluster.login(token.trim(), clientAddress(req));
  if (outcome.kind !== "ok") throw refuse(outcome);
  const s = outcome.session;
  const answer: Me = {
    user: s.identity.user,
    groups: s.identity.groups,
    mode: ctx.mode,
    csrfToken: s.csrfToken,
  };
  sendJson(req, res, 200, answer, { "Set-Cookie": sessionCookie(s.id) });
}
