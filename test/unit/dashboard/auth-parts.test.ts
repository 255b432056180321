// The pieces behind authentication, with a clock the test moves: sessions end after 8 h, failures are
// forgotten after their window, and the RBAC rule reads as people write it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeRule } from "../../../src/dashboard/server/authz.ts";
import { FailureLimiter } from "../../../src/dashboard/server/rate-limit.ts";
import {
  SESSION_TTL_MS,
  Sessions,
  sessionCookie,
  sessionIdOf,
} from "../../../src/dashboard/server/sessions.ts";

test("a session lives 8 hours, then is gone", () => {
  let now = 1_000_000;
  const sessions = new Sessions(() => now);
  const s = sessions.create({ user: "alice", groups: [] });
  assert.equal(SESSION_TTL_MS, 8 * 3600_000);
  now += SESSION_TTL_MS - 1;
  assert.equal(sessions.get(s.id)?.identity.user, "alice");
  now += 1;
  assert.equal(sessions.get(s.id), undefined);
});

test("the cookie carries only the opaque id, with HttpOnly; Secure; SameSite=Strict; Path=/", () => {
  const cookie = sessionCookie("abc");
  assert.equal(cookie, "ramp_session=abc; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=28800");
  assert.equal(sessionIdOf("a=1; ramp_session=abc; b=2"), "abc");
  assert.equal(sessionIdOf(undefined), undefined);
  assert.match(sessionCookie(undefined), /Max-Age=0$/);
});

test("10 failures a minute per address, then Retry-After until the oldest leaves the window", () => {
  let now = 0;
  const limiter = new FailureLimiter({ max: 10, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 10; i++) {
    assert.equal(limiter.check("1.2.3.4").limited, false);
    limiter.fail("1.2.3.4");
    now += 1000;
  }
  assert.deepEqual(limiter.check("1.2.3.4"), { limited: true, retryAfterSeconds: 50 });
  assert.equal(limiter.check("5.6.7.8").limited, false, "another address is not affected");
  now = 60_001;
  assert.equal(limiter.check("1.2.3.4").limited, false);
});

test("RBAC rules named as in a Role", () => {
  const base = { group: "ramp.dev", resource: "rollouts", namespace: "team-a" };
  assert.equal(
    describeRule({ ...base, verb: "patch", subresource: "status" }),
    "patch rollouts.ramp.dev/status in namespace team-a",
  );
  assert.equal(
    describeRule({ ...base, verb: "list", group: "", resource: "pods" }),
    "list pods in namespace team-a",
  );
});
