// CEL, the expression language Kubernetes uses for validation rules, for ramp's conditions and lint.
// Parsed and type-checked once; evaluation never uses eval or new Function.
import { Environment } from "@marcbachmann/cel-js";

export type CelVariables = Record<string, "dyn" | "int" | "double" | "string" | "bool" | "list" | "map">;

export class CelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CelError";
  }
}

export type CompiledCel = {
  readonly source: string;
  /** Evaluates with values for the declared variables; throws CelError on a runtime error. */
  evaluate(values: Record<string, unknown>): unknown;
};

/** The library's first line, plus "at column N" read from the caret it draws under the source. */
const brief = (err: unknown): string => {
  const lines = (err instanceof Error ? err.message : String(err)).split("\n");
  const first = lines[0]?.trim() ?? "error";
  const source = lines.find((l) => /^>\s*\d+\s*\|/.test(l));
  const caret = lines.find((l) => /^\s*\|?\s*\^+\s*$/.test(l) || /^\s+\^/.test(l));
  if (!source || !caret) return first;
  const column = caret.indexOf("^") - (source.indexOf("|") + 2) + 1;
  return column > 0 ? `${first} at column ${column}` : first;
};

/** Parses and type-checks `source`; throws CelError naming the problem and its position. */
export function compileCel(source: string, variables: CelVariables): CompiledCel {
  const env = new Environment();
  for (const [name, type] of Object.entries(variables)) env.registerVariable(name, type);
  let program: ReturnType<Environment["parse"]>;
  try {
    program = env.parse(source);
    const checked = program.check();
    if (!checked.valid) throw new Error(checked.error?.message ?? "type check failed");
  } catch (err) {
    throw new CelError(`invalid CEL expression "${source}": ${brief(err)}`, { cause: err });
  }
  return {
    source,
    evaluate(values) {
      try {
        return program(values);
      } catch (err) {
        throw new CelError(`evaluating "${source}": ${brief(err)}`, { cause: err });
      }
    },
  };
}
