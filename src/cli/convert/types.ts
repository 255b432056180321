// What every `kubectl ramp convert` converter takes and gives back: YAML documents in, ramp YAML out, and
// a list of what was not carried over, each with where it was and why.
import type { Document } from "yaml";

/** One YAML document of the input, with where it came from (for "file:line" in every report). */
export type SourceDoc = {
  /** The file's path as the user gave it, or "<stdin>", or "cluster:<kind>/<namespace>/<name>". */
  file: string;
  /** The parsed document; converters may edit a clone of it so comments and key order survive. */
  doc: Document;
  /** 1-based line of a node's start within `file`, for a path into `doc` (undefined when not found). */
  lineOf(path: (string | number)[]): number | undefined;
};

/** A field (or a whole object) that was not carried over, and what to do instead. */
export type Drop = {
  file: string;
  line?: number | undefined;
  /** Dotted field path in the source object, e.g. "spec.strategy.canary.trafficRouting.alb". */
  path: string;
  /** What it is and what to use instead, e.g. "ALB traffic routing: ramp routes Gateway API, NGINX and Istio; consider Gateway API". */
  reason: string;
};

/** One ramp object produced: a YAML Document (to keep comments where the input had them). */
export type OutputDoc = {
  /** e.g. "Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate", "Service". */
  kind: string;
  name: string;
  namespace?: string | undefined;
  doc: Document;
  /** The input document it was converted from, if one: the output then stands where that input stood. */
  source?: SourceDoc | undefined;
};

export type ConvertResult = {
  outputs: OutputDoc[];
  drops: Drop[];
  notes: Drop[];
  /** Input documents a converter folded into its outputs (a Deployment made an inline Rollout): not passed through. */
  consumed?: Document[];
};
