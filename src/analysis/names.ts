// dryRun and measurementRetention entries name the run's metrics: a name, a regular expression over whole
// names (Argo Rollouts' ".*"), or "*". An entry that matches no metric ends the run Error, as in Argo,
// rather than being ignored.

export type NameRule = { metricName: string };
export type RuleField = "dryRun" | "measurementRetention";

/** The pattern of an entry: "*" is every metric; anything else is a regular expression over the whole name. */
function patternOf(field: RuleField, index: number, metricName: string): RegExp {
  if (metricName === "*") return /^/;
  try {
    return new RegExp(`^(?:${metricName})$`);
  } catch (err) {
    throw new Error(
      `${field}[${index}].metricName "${metricName}" is not a regular expression (${(err as Error).message}): ` +
        'name a metric, write a pattern such as "err.*", or "*" for every metric',
      { cause: err },
    );
  }
}

/**
 * Each metric an entry matches, with the last matching entry (as Argo applies them in order). Throws naming
 * the first entry that is not a pattern or matches none of `names`.
 */
export function matchRules<T extends NameRule>(
  field: RuleField,
  rules: readonly T[],
  names: readonly string[],
): Map<string, T> {
  const out = new Map<string, T>();
  for (const [i, rule] of rules.entries()) {
    const pattern = patternOf(field, i, rule.metricName);
    const matched = names.filter((n) => pattern.test(n));
    if (matched.length === 0)
      throw new Error(
        `${field}[${i}].metricName "${rule.metricName}" matches no metric of the run (${names.join(", ")}): ` +
          'name one of them, a regular expression over whole names such as "err.*", or "*" for every metric',
      );
    for (const n of matched) out.set(n, rule);
  }
  return out;
}
