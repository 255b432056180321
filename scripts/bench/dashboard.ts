// npm run bench:dashboard: the dashboard with 1,000 Rollouts, in Chromium, against the local cluster.
// The Rollouts are objects only (no controller, no pods): each is created, then given a status through the
// status subresource, as a controller would write it. The server runs in this process in local mode, over
// its own watch caches of a namespace made for the run (removed at the end).
//  - first render: from the navigation's start until every row is in the DOM (the page's own clock),
//    cold (a fresh browser context) and warm (new pages of the same context: assets cached, cookie set);
//  - update latency: one Rollout's status.canary.weight patched, until its row shows the new weight
//    (a MutationObserver in the page notes the time; same wall clock as the write), p50/p99/max.
// CPU-seconds for each phase: this process (server, Kubernetes client, driver) and Chromium's processes
// (/proc utime+stime of this process's descendants), and the page's main thread per update by kind
// (Chromium's Performance.getMetrics: script, style, layout). The apiserver's CPU is not counted.
// Needs the cluster up (npm run cluster:up) and Chromium (bash scripts/browser/ensure-chromium.sh).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import pLimit from "p-limit";
import { installCrds } from "../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace, kubeconfigPath, loadKubeConfig } from "../../dev/kube.ts";
import { repoRoot } from "../../dev/yaml.ts";
import { byTestId, TestBrowser } from "../../test/support/browser.ts";
import { startDashboard } from "../../test/support/dashboard.ts";

const { values } = parseArgs({
  options: {
    rollouts: { type: "string", default: "1000" },
    updates: { type: "string", default: "200" },
    "warm-loads": { type: "string", default: "4" },
  },
});
const N = Number(values.rollouts);
const UPDATES = Number(values.updates);
const WARM = Number(values["warm-loads"]);
const IDLE_S = 5;
const say = (msg: string) => process.stderr.write(`bench:dashboard │ ${msg}\n`);

const TICK = 100; // clock ticks per second in /proc/*/stat (USER_HZ)
/** utime + stime, in seconds, of every process below `root` (Chromium's browser, renderer, GPU… processes). */
function descendantsCpu(root: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / TICK);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [pid, c] of cpu) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += c;
        break;
      }
    }
  }
  return total;
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
type Cpu = { self: number; chromium: number };
const cpuNow = (): Cpu => ({ self: selfCpu(), chromium: descendantsCpu(process.pid) });
const cpuSince = (a: Cpu): Cpu => {
  const b = cpuNow();
  return { self: b.self - a.self, chromium: b.chromium - a.chromium };
};

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};

const name = (i: number) => `r-${String(i).padStart(4, "0")}`;
const rollout = (ns: string, i: number) => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: name(i), namespace: ns, labels: { app: name(i), team: `team-${i % 7}` } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name(i) } },
    template: {
      metadata: { labels: { app: name(i) } },
      spec: { containers: [{ name: "app", image: `app:${1 + (i % 3)}` }] },
    },
    strategy: {
      canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: "1m" } }] },
    },
  },
});
const PHASES = ["Healthy", "Progressing", "Paused", "Degraded"] as const;
const status = (i: number, weight: number) => ({
  status: {
    phase: PHASES[i % PHASES.length],
    message: `bench status ${i}`,
    currentStepIndex: i % 4,
    stepCount: 4,
    canary: { weight },
  },
});

// In the page (evaluated over CDP; the app's CSP forbids eval inside it): note when a row's weight shows `want`.
const WATCH = `(() => {
  window.benchWant = undefined;
  const check = () => {
    const w = window.benchWant;
    if (!w) return;
    const el = document.querySelector('[data-testid="' + w.row + '"] [data-testid="weight"]');
    if (el && el.textContent.includes(w.text)) {
      window.benchWant = undefined;
      w.resolve(Date.now());
    }
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
  // Arms the observer for one row and text; benchSeen resolves with the time it shows (no polling).
  window.benchArm = (row, text) => {
    window.benchSeen = new Promise((resolve) => { window.benchWant = { row, text, resolve }; });
  };
})()`;

if (!existsSync(kubeconfigPath())) throw new Error("no local cluster: npm run cluster:up");
if (existsSync("/tmp/bench-hold")) say("waiting: /tmp/bench-hold exists (another benchmark is running)");
while (existsSync("/tmp/bench-hold")) await sleep(5000);

await installCrds();
const kc = loadKubeConfig();
const ns = await createTestNamespace("bench-dash", kc);
const dash = await startDashboard({ mode: "local", namespace: ns });
const base = `/apis/ramp.dev/v1alpha1/namespaces/${ns}/rollouts`;
let browser: TestBrowser | undefined;
try {
  say(`creating ${N} Rollouts in ${ns} (objects and their status; no controller, no pods)`);
  const created = performance.now();
  const limit = pLimit(16);
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      limit(async () => {
        await dash.clients.request("POST", base, rollout(ns, i));
        await dash.clients.request(
          "PATCH",
          `${base}/${name(i)}/status`,
          status(i, 20),
          "application/merge-patch+json",
        );
      }),
    ),
  );
  say(`created in ${((performance.now() - created) / 1000).toFixed(1)} s`);

  const b = await TestBrowser.launch({ viewport: { width: 1280, height: 900 } });
  browser = b;
  const lastRow = byTestId(`row-${ns}-${name(N - 1)}`);
  const rows = `[data-testid^="row-${ns}-"]`;

  // First render, cold: a new context, the one-time URL, nothing cached.
  // In every page, before the app runs (an init script, outside the app's CSP): the moment the last row
  // is in the DOM, in ms since the navigation started (performance.now()'s origin).
  await b.context.addInitScript(`(() => {
    const sel = ${JSON.stringify(lastRow)};
    const check = (_, obs) => {
      if (document.querySelector(sel)) {
        window.benchRendered = performance.now();
        obs.disconnect();
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true });
  })()`);
  const load = async (url: string) => {
    const cpu = cpuNow();
    const page = await b.context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    await page.locator(lastRow).waitFor({ state: "attached", timeout: 60_000 });
    const ms = Number(await page.evaluate("window.benchRendered"));
    const count = await page.locator(rows).count();
    if (count !== N) throw new Error(`the overview shows ${count} rows, not ${N}`);
    return { page, ms, cpu: cpuSince(cpu) };
  };
  const cold = await load(`${dash.url}/?token=${dash.localToken}`);
  say(`first render, cold: ${cold.ms.toFixed(0)} ms`);
  await cold.page.close();
  const warm: number[] = [];
  const warmCpu: Cpu[] = [];
  for (let i = 0; i < WARM; i++) {
    const w = await load(`${dash.url}/`);
    warm.push(w.ms);
    warmCpu.push(w.cpu);
    await w.page.close();
  }

  // Update latency on an open overview of N rows.
  const { page } = await load(`${dash.url}/`);
  await page.evaluate(WATCH);
  const latencies: number[] = [];
  // What the open page costs doing nothing (its clock ticking, heartbeats), to tell updates' cost from it.
  await sleep(1000);
  // The page's main thread, as Chromium counts it (script, style, layout), over the updates.
  const cdp = await b.context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const mainThread = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const m = (k: string) => metrics.find((x) => x.name === k)?.value ?? 0;
    return {
      task: m("TaskDuration"),
      script: m("ScriptDuration"),
      style: m("RecalcStyleDuration"),
      layout: m("LayoutDuration"),
    };
  };
  const idleFrom = cpuNow();
  await sleep(IDLE_S * 1000);
  const idle = cpuSince(idleFrom);
  const cpu = cpuNow();
  const threadFrom = await mainThread();
  const started = performance.now();
  for (let u = 0; u < UPDATES; u++) {
    const i = (u * 389) % N; // spread over the list, the last rows included
    const weight = 21 + (u % 79);
    const row = `row-${ns}-${name(i)}`;
    await page.evaluate(`window.benchArm(${JSON.stringify(row)}, ${JSON.stringify(`${weight}%`)})`);
    const wrote = Date.now();
    await dash.clients.request(
      "PATCH",
      `${base}/${name(i)}/status`,
      status(i, weight),
      "application/merge-patch+json",
    );
    const timeout = new AbortController();
    const hit = Number(
      await Promise.race([
        page.evaluate("window.benchSeen"),
        sleep(10_000, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`${row} never showed weight ${weight}%`);
        }),
      ]).finally(() => timeout.abort()),
    );
    latencies.push(hit - wrote);
  }
  const updateWall = (performance.now() - started) / 1000;
  const updateCpu = cpuSince(cpu);
  const threadTo = await mainThread();
  /** Main-thread ms per update, by kind. */
  const perUpdate = Object.fromEntries(
    (Object.keys(threadTo) as (keyof typeof threadTo)[]).map((k) => [
      k,
      Math.round(((threadTo[k] - threadFrom[k]) * 1000 * 10) / UPDATES) / 10,
    ]),
  ) as Record<keyof typeof threadTo, number>;

  const result = {
    rollouts: N,
    firstRenderMs: {
      cold: Math.round(cold.ms),
      warmP50: Math.round(quantile(warm, 0.5)),
      warmMax: Math.round(Math.max(...warm)),
    },
    firstRenderCpuSeconds: cold.cpu,
    warmRenderCpuSecondsP50: {
      self: quantile(
        warmCpu.map((c) => c.self),
        0.5,
      ),
      chromium: quantile(
        warmCpu.map((c) => c.chromium),
        0.5,
      ),
    },
    updateLatencyMs: {
      updates: UPDATES,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: Math.max(...latencies),
    },
    updateCpuSeconds: { ...updateCpu, wallSeconds: updateWall, perUpdateMs: (updateWall * 1000) / UPDATES },
    mainThreadMsPerUpdate: perUpdate,
    idleCpuSecondsPerSecond: { self: idle.self / IDLE_S, chromium: idle.chromium / IDLE_S },
    at: new Date().toISOString(),
  };
  const f2 = (x: number) => x.toFixed(2);
  process.stdout.write(
    [
      `dashboard, ${N} Rollouts (local mode, Chromium headless, ${readdirSync("/sys/devices/system/cpu").filter((d) => /^cpu\d+$/.test(d)).length} CPUs)`,
      `  first render (navigation → all ${N} rows in the DOM)`,
      `    cold  ${result.firstRenderMs.cold} ms   CPU-s: server+driver ${f2(cold.cpu.self)}, chromium ${f2(cold.cpu.chromium)}`,
      `    warm  p50 ${result.firstRenderMs.warmP50} ms, max ${result.firstRenderMs.warmMax} ms (${WARM} loads)   CPU-s p50: server+driver ${f2(result.warmRenderCpuSecondsP50.self)}, chromium ${f2(result.warmRenderCpuSecondsP50.chromium)}`,
      `  update latency (status write → row shows it), ${UPDATES} updates one at a time`,
      `    p50 ${result.updateLatencyMs.p50} ms, p99 ${result.updateLatencyMs.p99} ms, max ${result.updateLatencyMs.max} ms`,
      `    CPU-s over ${f2(updateWall)} s: server+driver ${f2(updateCpu.self)}, chromium ${f2(updateCpu.chromium)}`,
      `    page main thread per update: ${perUpdate.task} ms (script ${perUpdate.script}, style ${perUpdate.style}, layout ${perUpdate.layout})`,
      `  idle, the overview open: CPU-s per second: server+driver ${f2(idle.self / IDLE_S)}, chromium ${f2(idle.chromium / IDLE_S)}`,
      "",
    ].join("\n"),
  );
  const dir = join(repoRoot, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `dashboard-${N}-${result.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say(`written: ${file}`);
} finally {
  await browser?.close();
  await dash.close();
  await deleteTestNamespace(ns, { wait: false, kc });
}
