// Command-line options of `npm run bench`: how many Rollouts, their shape, and what to measure.
import { parseArgs } from "node:util";
import { parseDuration } from "../../src/api/duration.ts";
import { DEFAULT_WORKERS } from "../../src/controller/options.ts";
import { NOTIFIER_MODES, type NotifierMode } from "./notifiers.ts";

export type BenchStep = { setWeight: number } | { pause: { duration: string } };

export type BenchOptions = {
  rollouts: number;
  replicas: number;
  steps: BenchStep[];
  /** Rollouts shipped at once; the rest wait for a slot (0 = all at once). */
  wave: number;
  /** Rollouts each pass ships to (the first ones); the rest stay managed and idle (0 = all). */
  ship: number;
  /** Spread each pass's patches evenly over this long (0 = as fast as the apiserver takes them). */
  shipOverMs: number;
  /** revisionHistoryLimit of every Rollout (undefined: the controller's default, 10). */
  history: number | undefined;
  /** A second pass in which every analysis fails and every Rollout rolls back. */
  rollback: boolean;
  soakMs: number;
  profile: boolean;
  workers: number;
  out: string | undefined;
  /** Give up on a phase after this long without finishing. */
  timeoutMs: number;
  keep: boolean;
  /** Options for the controller's node (V8 heap flags, say), to compare their effect. */
  nodeArgs: string[];
  /** Run src/ through type stripping instead of the image's compiled entrypoint. */
  source: boolean;
  /** Another built script instead of the image's (e.g. tsc's dist/controller/main.js, unbundled). */
  entry: string | undefined;
  /** Notifiers on every Rollout: none, one healthy receiver, or three failing ones. */
  notifiers: NotifierMode;
  /** Run the same workload under another controller too, one at a time (scripts/bench/peer/). */
  peer: "argo-rollouts" | undefined;
};

export const USAGE = `Usage: npm run bench -- [options]

  --rollouts N       Rollouts to create (default 1000)
  --replicas R       replicas per Rollout (default 2)
  --steps LIST       canary steps: weights and pause durations (default 25,5s,50,5s; 100% comes last)
  --wave N           ship at most N Rollouts at once, the next as each finishes (default: all at once)
  --ship N           each pass ships to the first N Rollouts only; the rest stay managed (default: all)
  --ship-over DURATION  spread each pass's patches evenly over this long, so the burst itself does not
                     saturate the apiserver; they still all progress together if it is shorter than a
                     rollout (default: all at once)
  --history N        revisionHistoryLimit of every Rollout: old ReplicaSets kept (default: ramp's, 10)
  --no-rollback      skip the second pass (every analysis fails, every Rollout rolls back)
  --soak DURATION    after the passes, keep shipping a new version to 1% of the Rollouts every minute,
                     cycling over those the passes shipped, and sample memory
  --profile          write a CPU profile and a heap snapshot of the controller to bench/profiles/
  --workers N        the controller's --workers (default: the controller's own)
  --timeout DURATION give up on a pass after this long (default 30m)
  --out FILE         JSON results (default bench/results/<date>-<N>.json)
  --keep             leave the namespace, its Rollouts and the extra fake Nodes in place
  --node-args=ARGS   more options for the controller's node, after the image's own (see Dockerfile)
  --source           run src/controller/main.ts (type stripping) instead of the image's build, dist/
  --entry PATH       run this built script with the image's Node flags instead of the image's own
                     (dist/controller/main.js: tsc's output, not bundled)
  --notifiers MODE   off (default); on: a Notifier on every Rollout, its webhook a loopback receiver that
                     accepts; failing: three, one answering 429 with Retry-After: 5, one hanging 30 s, one
                     a closed port, with --notify-give-up-seconds 60
  --peer argo-rollouts  the same workload under ramp and under Argo Rollouts (built from its Go module),
                     one controller at a time in a fresh namespace each, in the order ramp, Argo with
                     its defaults, Argo with its client limits lifted, ramp; prints them side by side
                     (default --out bench/results/peer-<N>-<date>.json)
  -h, --help         this help
`;

const positive = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: "${value}" must be a whole number >= 1`);
  return n;
};

const whole = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${value}" must be a whole number >= 0`);
  return n;
};

/** "25,5s,50,5s": numbers are setWeight steps, durations are pauses. */
export function parseSteps(list: string): BenchStep[] {
  const steps = list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s): BenchStep => {
      if (/^[0-9]+$/.test(s)) {
        const w = Number(s);
        if (w < 0 || w > 100) throw new Error(`--steps: weight ${w} is outside 0-100`);
        return { setWeight: w };
      }
      parseDuration(s, `--steps: "${s}"`);
      return { pause: { duration: s } };
    });
  if (!steps.some((s) => "setWeight" in s))
    throw new Error("--steps: name at least one weight, e.g. 25,5s,50");
  return steps;
}

export function parseBenchOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      rollouts: { type: "string", default: "1000" },
      replicas: { type: "string", default: "2" },
      steps: { type: "string", default: "25,5s,50,5s" },
      wave: { type: "string", default: "0" },
      ship: { type: "string", default: "0" },
      "ship-over": { type: "string" },
      history: { type: "string" },
      "no-rollback": { type: "boolean", default: false },
      soak: { type: "string" },
      profile: { type: "boolean", default: false },
      workers: { type: "string", default: String(DEFAULT_WORKERS) },
      timeout: { type: "string", default: "30m" },
      out: { type: "string" },
      keep: { type: "boolean", default: false },
      "node-args": { type: "string", default: "" },
      source: { type: "boolean", default: false },
      entry: { type: "string" },
      notifiers: { type: "string", default: "off" },
      peer: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const wave = whole("--wave", values.wave);
  const notifiers = NOTIFIER_MODES.find((m) => m === values.notifiers);
  if (!notifiers)
    throw new Error(`--notifiers: "${values.notifiers}" is not one of ${NOTIFIER_MODES.join(", ")}`);
  if (values.peer !== undefined && values.peer !== "argo-rollouts")
    throw new Error(`--peer: "${values.peer}" is not argo-rollouts, the one peer the bench runs`);
  return {
    rollouts: positive("--rollouts", values.rollouts),
    replicas: positive("--replicas", values.replicas),
    steps: parseSteps(values.steps),
    wave,
    ship: whole("--ship", values.ship),
    shipOverMs: values["ship-over"] ? parseDuration(values["ship-over"], "--ship-over") : 0,
    history: values.history === undefined ? undefined : whole("--history", values.history),
    rollback: !values["no-rollback"],
    soakMs: values.soak ? parseDuration(values.soak, "--soak") : 0,
    profile: values.profile,
    workers: positive("--workers", values.workers),
    out: values.out,
    timeoutMs: parseDuration(values.timeout, "--timeout"),
    keep: values.keep,
    nodeArgs: values["node-args"].split(/\s+/).filter((a) => a !== ""),
    source: values.source,
    entry: values.entry,
    notifiers,
    peer: values.peer === "argo-rollouts" ? "argo-rollouts" : undefined,
  };
}
