// `kubectl ramp version` finds the controller by the chart's labels, and says what it could not see when
// the user may not list Deployments everywhere; an HTTP server answers as an apiserver with that RBAC would.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CONTROLLER_SELECTOR } from "../../../src/cli/commands/version.ts";
import { type Manifest, render } from "../../support/chart.ts";
import { ramp } from "./io.ts";

/** The controller's Deployment as the chart renders it (helm template), in ramp-system. */
async function chartDeployment(values: Record<string, unknown> = {}): Promise<Manifest> {
  const all = await render({ release: "ramp", namespace: "ramp-system", values });
  const d = all.find((m) => m.kind === "Deployment");
  assert.ok(d, "the chart renders a Deployment");
  return d;
}

/** Whether an equality-only selector (a=b,c=d) selects these labels. */
const selects = (selector: string, labels: Record<string, string> = {}) =>
  selector.split(",").every((t) => labels[t.split("=")[0] ?? ""] === t.split("=")[1]);

let deployment: Manifest;

/** Paths the user may list; the rest answer 403. */
let allowed: (path: string) => boolean = () => true;
const seen: string[] = [];
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "", "http://x");
  seen.push(url.pathname + url.search);
  res.setHeader("content-type", "application/json");
  if (url.pathname === "/version") {
    res.end(JSON.stringify({ gitVersion: "v1.36.3" }));
  } else if (!allowed(url.pathname)) {
    res.statusCode = 403;
    res.end(JSON.stringify({ kind: "Status", reason: "Forbidden", code: 403, message: "forbidden" }));
  } else {
    const matches = selects(url.searchParams.get("labelSelector") ?? "", deployment.metadata.labels);
    const inNs =
      url.pathname === "/apis/apps/v1/deployments" || url.pathname.includes("/namespaces/ramp-system/");
    res.end(JSON.stringify({ items: matches && inNs ? [deployment] : [], metadata: {} }));
  }
});
let env: { KUBECONFIG: string };

before(async () => {
  deployment = await chartDeployment();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const file = join(mkdtempSync(join(tmpdir(), "ramp-version-")), "config");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
`,
  );
  env = { KUBECONFIG: file };
});
after(() => server.close());

const version = async () => {
  seen.length = 0;
  const r = await ramp(["version", "-o", "json"], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { controller: string; kubernetes: string };
};

describe("version: the controller as the chart labels it", () => {
  test("the selector matches the chart's Deployment, with nameOverride and fullnameOverride too", async () => {
    for (const values of [{}, { nameOverride: "deliver" }, { fullnameOverride: "cd" }]) {
      const d = await chartDeployment(values);
      assert.ok(
        selects(CONTROLLER_SELECTOR, d.metadata.labels),
        `${JSON.stringify(values)}: ${JSON.stringify(d.metadata.labels)}`,
      );
    }
  });

  test("listed in every namespace by the chart's labels", async () => {
    allowed = () => true;
    const v = await version();
    assert.equal(
      v.controller,
      `${deployment.metadata.labels?.["app.kubernetes.io/version"]} (ramp-system/ramp)`,
    );
    assert.equal(v.kubernetes, "v1.36.3");
    assert.ok(
      seen.includes(`/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(CONTROLLER_SELECTOR)}`),
    );
  });

  test("without cluster-wide list rights: found in the chart's namespace", async () => {
    allowed = (p) => p !== "/apis/apps/v1/deployments";
    assert.match((await version()).controller, /^\S+ \(ramp-system\/ramp\)$/);
  });

  test("allowed only in the current namespace: says where it looked and what it could not", async () => {
    allowed = (p) => p.startsWith("/apis/apps/v1/namespaces/shop/");
    assert.equal(
      (await version()).controller,
      "not found in shop (no permission to list Deployments in all namespaces, nor in ramp-system)",
    );
  });

  test("allowed nowhere: unknown, and still exit 0 with Kubernetes' version", async () => {
    allowed = () => false;
    const v = await version();
    assert.equal(
      v.controller,
      "unknown (no permission to list Deployments in all namespaces, nor in ramp-system, shop)",
    );
    assert.equal(v.kubernetes, "v1.36.3");
  });
});
