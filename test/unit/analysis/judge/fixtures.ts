// The SciPy reference cases (test/fixtures/judge/generate.py), parsed and checked for shape once.
import { readFileSync } from "node:fs";
import { z } from "zod";

const MannWhitneyRow = z.object({
  alternative: z.enum(["two-sided", "greater", "less"]),
  method: z.enum(["auto", "asymptotic", "exact"]),
  chosen: z.enum(["asymptotic", "exact"]),
  u: z.number(),
  p: z.number(),
});

const Case = z.object({
  name: z.string(),
  canary: z.array(z.number()),
  baseline: z.array(z.number()),
  mannWhitney: z.array(MannWhitneyRow).min(6),
  hodgesLehmann: z.object({
    shift: z.number(),
    intervals: z
      .array(
        z.object({
          confidence: z.number(),
          k: z.number().int(),
          lower: z.number().nullable(),
          upper: z.number().nullable(),
        }),
      )
      .min(1),
  }),
});

const Document = z.object({ scipy: z.string(), cases: z.array(Case).min(20) });

export type FixtureCase = z.infer<typeof Case>;

const path = new URL("../../../fixtures/judge/mannwhitneyu.json", import.meta.url);
export const fixtures = Document.parse(JSON.parse(readFileSync(path, "utf8")));
