// list --watch and get --watch without a cluster: the list-then-watch loop over a scripted source, and
// the listing flags (--sort-by, --no-headers) over fixtures.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Io } from "../../../src/cli/context.ts";
import { type ListWatchSource, listWatch, type WatchEvent } from "../../../src/cli/inspect/list-watch.ts";
import { fieldPath, sortBy } from "../../../src/cli/inspect/sort-by.ts";
import { renderRolloutTable } from "../../../src/cli/inspect/table.ts";
import { run as runCli } from "../../../src/cli/run.ts";
import { rollout } from "./fixtures.ts";
import { capture, ramp } from "./io.ts";

const obj = (name: string, rv: string) => ({ metadata: { name, resourceVersion: rv } });
const ev = (type: WatchEvent["type"], name: string, rv: string): WatchEvent => ({
  type,
  object: obj(name, rv),
});

/** A source whose lists and watches follow a script; records the version each watch started from. */
function scripted(lists: { items: unknown[]; resourceVersion: string }[], watches: (WatchEvent | "end")[][]) {
  const from: string[] = [];
  let listed = 0;
  const source: ListWatchSource = {
    async list() {
      const l = lists[Math.min(listed++, lists.length - 1)];
      assert.ok(l);
      return l;
    },
    async *watch(rv, signal) {
      from.push(rv);
      const script = watches.shift();
      if (!script) {
        // Nothing more scripted: stay open until the test stops it.
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        return;
      }
      for (const e of script) {
        if (e === "end") return;
        yield e;
      }
    },
  };
  return { source, from, lists: () => listed };
}

async function run(source: ListWatchSource, until: (seen: string[]) => boolean) {
  const seen: string[] = [];
  const stop = new AbortController();
  const done = listWatch(
    source,
    {
      listed: (items) => {
        seen.push(`list ${items.length}`);
        if (until(seen)) stop.abort();
      },
      changed: (e) => {
        seen.push(`${e.type} ${(e.object.metadata as { name?: string }).name}`);
        if (until(seen)) stop.abort();
      },
      failed: (err) => {
        seen.push(`failed ${(err as Error).message}`);
        if (until(seen)) stop.abort();
      },
    },
    stop.signal,
    1,
  );
  await done;
  return seen;
}

describe("listWatch: a list, then a watch from its version", () => {
  test("events are passed on; a watch the server ends resumes from the last version seen", async () => {
    const s = scripted(
      [{ items: [obj("a", "1")], resourceVersion: "10" }],
      [
        [ev("ADDED", "b", "11"), "end"],
        [ev("MODIFIED", "a", "12"), ev("DELETED", "b", "13")],
      ],
    );
    const seen = await run(s.source, (x) => x.length === 4);
    assert.deepEqual(seen, ["list 1", "ADDED b", "MODIFIED a", "DELETED b"]);
    assert.deepEqual(s.from, ["10", "11"]);
    assert.equal(s.lists(), 1, "no second list while the watch works");
  });

  test("a bookmark moves the version without an event", async () => {
    const s = scripted(
      [{ items: [], resourceVersion: "5" }],
      [[ev("BOOKMARK", "", "9"), "end"], [ev("ADDED", "c", "10")]],
    );
    const seen = await run(s.source, (x) => x.length === 2);
    assert.deepEqual(seen, ["list 0", "ADDED c"]);
    assert.deepEqual(s.from, ["5", "9"]);
  });

  test("410 Gone lists again and watches from the new list's version", async () => {
    const gone: WatchEvent = { type: "ERROR", object: { code: 410, message: "too old resource version" } };
    const s = scripted(
      [
        { items: [obj("a", "1")], resourceVersion: "10" },
        { items: [obj("a", "30"), obj("b", "31")], resourceVersion: "31" },
      ],
      [[gone], [ev("ADDED", "c", "32")]],
    );
    const seen = await run(s.source, (x) => x.length === 3);
    assert.deepEqual(seen, ["list 1", "list 2", "ADDED c"]);
    assert.deepEqual(s.from, ["10", "31"]);
  });

  test("another error is reported and the loop starts over with a list", async () => {
    const forbidden: WatchEvent = { type: "ERROR", object: { code: 500, message: "etcd hiccup" } };
    const s = scripted([{ items: [], resourceVersion: "1" }], [[forbidden], [ev("ADDED", "a", "2")]]);
    const seen = await run(s.source, (x) => x.length === 4);
    assert.deepEqual(seen, ["list 0", "failed etcd hiccup", "list 0", "ADDED a"]);
  });
});

describe("--sort-by", () => {
  const items = [
    { metadata: { name: "b", labels: { "app.kubernetes.io/name": "y" } }, spec: { replicas: 10 } },
    { metadata: { name: "a", labels: { "app.kubernetes.io/name": "z" } }, spec: { replicas: 9 } },
    { metadata: { name: "c" }, spec: { replicas: 2 } },
  ];
  const names = (l: typeof items) => l.map((i) => i.metadata.name).join(",");
  test("text fields sort as text", () => assert.equal(names(sortBy(items, ".metadata.name")), "a,b,c"));
  test("numbers sort as numbers (10 after 9)", () =>
    assert.equal(names(sortBy(items, "{.spec.replicas}")), "c,a,b"));
  test("an escaped dot is part of a key; objects without the field come first", () =>
    assert.equal(names(sortBy(items, ".metadata.labels.app\\.kubernetes\\.io/name")), "c,b,a"));
  test("indexes and quoted keys", () =>
    assert.deepEqual(fieldPath("{.spec.containers[0]['image']}"), ["spec", "containers", 0, "image"]));
  test("not a field expression: a usage error before any request", async () => {
    const r = await ramp(["list", "rollouts", "--sort-by", "name"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--sort-by name: not a field expression/);
  });
});

describe("--no-headers", () => {
  test("the table without its header row, the rows unchanged", () => {
    const items = [rollout({}, "web"), rollout({}, "api")];
    const opts = { now: Date.parse("2026-01-01T12:00:00Z") };
    const full = renderRolloutTable(items, opts);
    const bare = renderRolloutTable(items, { ...opts, noHeaders: true });
    assert.match(full[0] ?? "", /^NAME\s+STRATEGY/);
    assert.deepEqual(bare, full.slice(1));
  });

  test("--sort-by keeps its order in the table", () => {
    const items = [rollout({}, "web"), rollout({}, "api")];
    const rows = renderRolloutTable(sortBy(items, ".metadata.name").reverse(), {
      now: 0,
      keepOrder: true,
      noHeaders: true,
    });
    assert.deepEqual(
      rows.map((r) => r.split(/\s+/)[0]),
      ["web", "api"],
    );
  });
});

/** A kubeconfig for a plain-HTTP server on `port`, namespace shop. */
function httpKubeconfig(port: number): string {
  const config = join(mkdtempSync(join(tmpdir(), "ramp-listwatch-")), "config");
  writeFileSync(
    config,
    `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
`,
  );
  return config;
}

describe("list -w over HTTP: the watch request and its stream", () => {
  test("lists, watches from the list's version, and prints a row per streamed event", async () => {
    const urls: string[] = [];
    const server = createServer((req, res) => {
      urls.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      if (!req.url?.includes("watch=true")) {
        res.end(
          JSON.stringify({
            kind: "RolloutList",
            metadata: { resourceVersion: "5" },
            items: [rollout({}, "web")],
          }),
        );
        return;
      }
      // Two events in one chunk, one split across chunks, then the watch stays open.
      const added = JSON.stringify({ type: "ADDED", object: rollout({}, "api") });
      const bookmark = JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "7" } } });
      const changed = JSON.stringify({ type: "MODIFIED", object: rollout({ phase: "Degraded" }, "web") });
      res.write(`${added}\n${bookmark}\n${changed.slice(0, 20)}`);
      setTimeout(() => res.write(`${changed.slice(20)}\n`), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const config = httpKubeconfig((server.address() as AddressInfo).port);
    const stdout = capture();
    const stderr = capture();
    const stop = new AbortController();
    const io: Io = {
      stdout,
      stderr,
      stdin: async () => "",
      env: { KUBECONFIG: config },
      signal: stop.signal,
      now: () => new Date("2026-01-01T12:00:00Z"),
    };
    const exit = runCli(["list", "rollouts", "-w", "-l", "app=web"], io);
    for (let i = 0; i < 100 && stdout.text.split("\n").length < 5; i++) await sleep(20);
    stop.abort();
    server.closeAllConnections();
    server.close();
    assert.equal(await exit, 130, stdout.text + stderr.text);
    assert.deepEqual(
      stdout.text
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/\s+/).slice(0, 3).join(" ")),
      ["NAME STRATEGY PHASE", "web Canary Paused", "api Canary Paused", "web Canary Degraded"],
    );
    assert.equal(urls.length, 2, urls.join("\n"));
    assert.equal(urls[0], "/apis/ramp.dev/v1alpha1/namespaces/shop/rollouts?labelSelector=app%3Dweb");
    const watch = new URL(urls[1] ?? "", "http://x").searchParams;
    assert.equal(watch.get("watch"), "true");
    assert.equal(watch.get("resourceVersion"), "5");
    assert.equal(watch.get("labelSelector"), "app=web");
    assert.equal(watch.get("allowWatchBookmarks"), "true");
  });
});

describe("get --watch over HTTP: redrawn by watch events, silent while nothing changes", () => {
  test("four watches open; a MODIFIED event redraws; no request in between", async () => {
    let current = rollout({ message: "first message" }, "web");
    const watches = new Map<string, import("node:http").ServerResponse>();
    const urls: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "", "http://x");
      urls.push(url.pathname + url.search);
      res.writeHead(200, { "content-type": "application/json" });
      if (url.searchParams.get("watch") === "true") {
        res.flushHeaders();
        watches.set(url.pathname, res);
      } else if (url.pathname.endsWith("/rollouts/web")) res.end(JSON.stringify(current));
      else {
        const items = url.pathname.endsWith("/rollouts") ? [current] : [];
        res.end(JSON.stringify({ items, metadata: { resourceVersion: "1" } }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const stdout = capture();
    const stderr = capture();
    const stop = new AbortController();
    const io: Io = {
      stdout,
      stderr,
      stdin: async () => "",
      env: { KUBECONFIG: httpKubeconfig((server.address() as AddressInfo).port) },
      signal: stop.signal,
      now: () => new Date("2026-01-01T12:00:00Z"),
    };
    const exit = runCli(["get", "rollout", "web", "--watch"], io);
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await sleep(20);
      assert.ok(ok(), `${what}\n${stdout.text}${stderr.text}\n${urls.join("\n")}`);
    };
    await until("four watches", () => watches.size === 4);
    assert.deepEqual([...watches.keys()].sort(), [
      "/api/v1/namespaces/shop/pods",
      "/apis/apps/v1/namespaces/shop/replicasets",
      "/apis/ramp.dev/v1alpha1/namespaces/shop/analysisruns",
      "/apis/ramp.dev/v1alpha1/namespaces/shop/rollouts",
    ]);
    await until("the first frame", () => stdout.text.includes("first message"));
    await sleep(300);
    const settled = urls.length;
    await sleep(1500);
    assert.equal(urls.length, settled, "no request while nothing changes");

    current = rollout({ message: "second message" }, "web");
    watches
      .get("/apis/ramp.dev/v1alpha1/namespaces/shop/rollouts")
      ?.write(
        `${JSON.stringify({ type: "MODIFIED", object: { ...current, metadata: { ...(current.metadata as object), resourceVersion: "2" } } })}\n`,
      );
    await until("the redrawn frame", () => stdout.text.includes("second message"));
    assert.ok(
      urls.slice(settled).every((u) => !u.includes("watch=true")),
      "the change came through the open watch",
    );
    stop.abort();
    server.closeAllConnections();
    server.close();
    assert.equal(await exit, 130, stderr.text);
  });
});
