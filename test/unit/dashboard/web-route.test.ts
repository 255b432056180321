// Which page a path names (the server answers index.html for these paths; the app picks the page).
import assert from "node:assert/strict";
import { test } from "node:test";
import { PAGES } from "../../../src/dashboard/contract.ts";
import { parseRoute } from "../../../src/dashboard/web/app/lib/route.ts";

test("dashboard web: routes", () => {
  assert.deepEqual(parseRoute(PAGES.overview), { page: "overview" });
  assert.deepEqual(parseRoute(PAGES.rollout("shop", "web")), {
    page: "rollout",
    namespace: "shop",
    name: "web",
  });
  assert.deepEqual(parseRoute("/rollouts/shop/web/"), { page: "rollout", namespace: "shop", name: "web" });
  assert.deepEqual(parseRoute("/rollouts/shop"), { page: "notFound", path: "/rollouts/shop" });
  assert.deepEqual(parseRoute("/rollouts/%E0%A4%A/web"), {
    page: "notFound",
    path: "/rollouts/%E0%A4%A/web",
  });
});
