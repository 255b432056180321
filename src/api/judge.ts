// The judge provider: the canary's samples of each metric against the stable version's, compared
// statistically (Mann-Whitney U, Hodges-Lehmann shift with its interval), scored into one verdict.
// The statistics are src/analysis/judge/ (docs/adr/0013); why a provider, docs/adr/0017.
import { z } from "zod";
import { cel, DURATION_RE } from "./meta.ts";
import { PrometheusConnection } from "./providers.ts";

/** The placeholders a judged query is written with; each side's query gets its own values. */
export const VERSION_PLACEHOLDERS = ["{{version.hash}}", "{{version.role}}"] as const;
const PERCENT_RE = "^[0-9]{1,3}([.][0-9]{1,2})?%$";

const NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/;

export const JudgeMetric = cel(
  z.object({
    name: z.string().min(1).max(63).regex(NAME).describe("Names the metric in the verdict."),
    query: z
      .string()
      .min(1)
      // 2 KiB: the admission rule below reads it, and the apiserver bounds all rules' cost by the sizes.
      .max(2048)
      .describe(
        "A PromQL query asked once for each version over the window (a range query): {{version.hash}} is " +
          "that version's pod-template hash (the ramp.dev/pod-template-hash label), {{version.role}} is " +
          '"canary" or "stable" (the values to give a role label in canaryMetadata/stableMetadata); ' +
          "{{args.NAME}} is replaced as in a prometheus metric. Every value of every series returned is one " +
          "sample. Test: test/integration/analysis/judge.test.ts.",
      ),
    direction: z
      .enum(["increase", "decrease", "either"])
      .optional()
      .describe(
        'Which change is bad: "increase" (latency, errors; the default), "decrease" (throughput), "either".',
      ),
    tolerance: cel(z.string().max(8).regex(new RegExp(PERCENT_RE)), {
      rule: `self.matches('${PERCENT_RE}')`,
      message: 'judge.metrics[].tolerance must be a percentage such as "10%"',
    })
      .optional()
      .describe(
        'How much worse the canary may be, relative to the stable median, e.g. "10%" (default "5%"): ' +
          "the metric fails only when the whole confidence interval of the change lies beyond it.",
      ),
    critical: z.boolean().optional().describe("A failing critical metric fails the judgement alone."),
    weight: z.int32().min(1).max(100).optional().describe("The metric's share of the score (default 1)."),
  }),
  {
    rule: VERSION_PLACEHOLDERS.map((p) => `self.query.contains('${p}')`).join(" || "),
    message:
      "judge.metrics[].query must select one version with {{version.hash}} or {{version.role}}, e.g. " +
      'rate(http_requests_total{pod_template_hash="{{version.hash}}"}[1m]): without one, the canary and ' +
      "the stable version would be the same samples",
    fieldPath: ".query",
  },
);
export type JudgeMetric = z.infer<typeof JudgeMetric>;

const judgeDuration = (field: string, fallback: string) =>
  cel(z.string().max(32).regex(new RegExp(DURATION_RE)), {
    rule: `self.matches('${DURATION_RE}') && duration(self) >= duration('1s')`,
    message: `judge.${field} must be a duration of at least 1s, such as "${fallback}"`,
  });

// Seconds of the window and the step as CEL sees them, defaults included (judgement.ts applies the same).
const WINDOW_S = "(has(self.window) ? duration(self.window) : duration('20m')).getSeconds()";
const STEP_S = "(has(self.step) ? duration(self.step) : duration('10s')).getSeconds()";

export const JudgeProvider = cel(
  z.object({
    prometheus: PrometheusConnection,
    window: judgeDuration("window", "20m")
      .optional()
      .describe(
        'How far back each version\'s samples reach (default "20m"), never before the run started. The ' +
          "first judgement waits for a full window: the metric's initialDelay defaults to it.",
      ),
    step: judgeDuration("step", "10s")
      .optional()
      .describe(
        'One sample per step per series (default "10s"); use no less than the rate() window of the ' +
          "queries, or neighbouring samples are not independent.",
      ),
    minSamples: z
      .int32()
      .min(3)
      .max(11000)
      .optional()
      .describe(
        "Fewer finite samples on either side makes the judgement NoData, decided by the metric's noData " +
          "policy, never a pass (default: three quarters of window / step, 90 for the defaults).",
      ),
    confidence: z
      .number()
      .min(0.5)
      .max(0.999)
      .optional()
      .describe(
        "Two-sided level of each shift's interval (default 0.9); 1 − confidence is the test's significance level.",
      ),
    thresholds: cel(
      z.object({
        pass: z.int32().min(0).max(100).describe("A score at or above this passes (default 95)."),
        marginal: z
          .int32()
          .min(0)
          .max(100)
          .describe(
            "At or above this and below pass is Marginal: Inconclusive, paused for a person (default 75).",
          ),
      }),
      {
        rule: "self.marginal <= self.pass",
        message: "judge.thresholds: marginal must not be above pass",
      },
    )
      .optional()
      .describe("Score thresholds; below marginal fails."),
    metrics: z.array(JudgeMetric).min(1).max(10),
  }),
  {
    rule: "self.metrics.all(m, self.metrics.filter(x, x.name == m.name).size() == 1)",
    message: "judge.metrics[].name must be unique",
  },
  {
    rule: `${WINDOW_S} >= 3 * ${STEP_S} && ${WINDOW_S} <= 11000 * ${STEP_S}`,
    message:
      "judge: window / step must give 3 to 11000 samples per series (Prometheus' limit); the defaults, 20m / 10s, give 120",
  },
  {
    rule: `!has(self.minSamples) || self.minSamples * ${STEP_S} <= ${WINDOW_S}`,
    message:
      "judge.minSamples is more than window / step samples can ever give: lower it, or lengthen the window",
    fieldPath: ".minSamples",
  },
).describe(
  "Compares the canary with the stable version statistically, metric by metric, and scores the " +
    "result: Pass → Successful, Marginal → Inconclusive, Fail → Failed, too few samples → the noData policy.",
);
export type JudgeProvider = z.infer<typeof JudgeProvider>;
