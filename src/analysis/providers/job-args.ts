// {{args.NAME}} in a Job metric, replaced in every string as Argo Rollouts does, with one difference: a
// Job is an object anyone who may read Jobs can read, so an arg from a Secret is never written into it.
// Argo writes the value in; ramp passes it only as a whole env value, turned into valueFrom.secretKeyRef.
import { substitute } from "./args.ts";

export type SecretRef = { name: string; key: string };

const WHOLE = /^\s*\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}\s*$/;
const NAMES = /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g;
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One env entry: `value: "{{args.S}}"` with S from a Secret becomes `valueFrom.secretKeyRef` to it. */
function envEntry(entry: unknown, secretArgs: Readonly<Record<string, SecretRef>>): unknown {
  if (!isObj(entry) || typeof entry.value !== "string") return entry;
  const name = WHOLE.exec(entry.value)?.[1];
  const ref = name === undefined ? undefined : secretArgs[name];
  if (!ref) return entry;
  const { value: _, ...rest } = entry;
  return { ...rest, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}

function fillString(
  s: string,
  path: string,
  args: Readonly<Record<string, string>>,
  secretArgs: Readonly<Record<string, SecretRef>>,
): string {
  for (const [, name = ""] of s.matchAll(NAMES)) {
    if (secretArgs[name])
      throw new Error(
        `${path} uses the arg "${name}", which comes from a Secret: a Job would store it in clear text. ` +
          `Pass it as an env var whose whole value is "{{args.${name}}}" (ramp makes it a valueFrom.secretKeyRef) ` +
          "and refer to that variable, e.g. $(VAR) in command or args",
      );
  }
  try {
    return substitute(s, args, (v) => v);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * `value` (a Job's spec or metadata) with every string's args replaced. Throws naming the path of a string
 * that uses a Secret arg other than as a whole env value, or an arg the run does not have.
 */
export function fillJob(
  value: unknown,
  path: string,
  args: Readonly<Record<string, string>>,
  secretArgs: Readonly<Record<string, SecretRef>>,
): unknown {
  if (typeof value === "string") return fillString(value, path, args, secretArgs);
  if (Array.isArray(value)) {
    const items = path.endsWith(".env") ? value.map((e) => envEntry(e, secretArgs)) : value;
    return items.map((v, i) => fillJob(v, `${path}[${i}]`, args, secretArgs));
  }
  if (isObj(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, fillJob(v, `${path}.${k}`, args, secretArgs)]),
    );
  return value;
}
