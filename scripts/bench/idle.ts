// npm run bench:idle: the controller as the image runs it, watching an empty namespace, and where its
// memory sits once start-up has settled: RSS, heap spaces, external and array buffers (from its own
// /metrics). Fast (about 30 s a run), so Node flags and lazy imports can be compared at idle.
//   npm run bench:idle -- [--runs N] [--settle SECONDS] [--node-args="--optimize-for-size"] [--entry FILE]
import { parseArgs } from "node:util";
import { startController } from "../../dev/controller.ts";
import { scrape } from "../../dev/scrape.ts";
import { buildDist, imageEntry } from "./entrypoint.ts";
import { ControllerSampler } from "./sampler.ts";

export type IdleReading = {
  rssMiB: number;
  heapUsedMiB: number;
  /** V8's heap spaces, used MiB by name (new_space, old_space, code_space, ...). */
  spaces: Record<string, number>;
  externalMiB: number;
};

const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;

/** After `settleMs`, the median RSS over 5 s and one scrape of the heap figures. */
export async function idleReading(pid: number, metricsUrl: string, settleMs: number): Promise<IdleReading> {
  const sampler = new ControllerSampler(pid, metricsUrl);
  const from = Date.now() + settleMs;
  sampler.start(500);
  await new Promise((r) => setTimeout(r, settleMs + 5_000));
  sampler.stop();
  const rss = sampler.between(from, Date.now()).map((s) => s.rssBytes);
  const scraped = await scrape(metricsUrl);
  const spaces: Record<string, number> = {};
  for (const s of scraped.find("nodejs_heap_space_size_used_bytes"))
    spaces[s.labels.space ?? "?"] = mib(s.value);
  return {
    rssMiB: mib([...rss].sort((a, b) => a - b)[Math.floor(rss.length / 2)] ?? 0),
    heapUsedMiB: mib(scraped.value("nodejs_heap_size_used_bytes") ?? 0),
    spaces,
    externalMiB: mib(scraped.value("nodejs_external_memory_bytes") ?? 0),
  };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "3" },
      settle: { type: "string", default: "20" },
      "node-args": { type: "string", default: "" },
      source: { type: "boolean", default: false },
      entry: { type: "string" },
    },
  });
  if (!values.source) buildDist();
  const shipped = imageEntry();
  const image = values.source
    ? { entry: "src/controller/main.ts", nodeArgs: [] }
    : { ...shipped, entry: values.entry ?? shipped.entry };
  const nodeArgs = [...image.nodeArgs, ...values["node-args"].split(/\s+/).filter((a) => a !== "")];
  process.stdout.write(`node ${nodeArgs.join(" ")} ${image.entry}\n`);
  for (let i = 0; i < Number(values.runs); i++) {
    const controller = await startController({
      name: "bench-idle",
      namespace: `ramp-idle-${Date.now().toString(36)}`,
      entry: image.entry,
      args: ["--log-level", "info"],
      nodeArgs,
    });
    try {
      const r = await idleReading(controller.pid, controller.metricsUrl, Number(values.settle) * 1000);
      process.stdout.write(`${JSON.stringify(r)}\n`);
    } finally {
      await controller.stop();
    }
  }
}

if (import.meta.main)
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`bench:idle failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
