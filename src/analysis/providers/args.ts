// {{args.NAME}} substitution: escaped for PromQL string literals or URLs, so an arg can never change a query's shape.
import type { MeasureContext } from "./provider.ts";
/** Escapes a value for the inside of a PromQL "…" or '…' string literal. */
export function promqlEscape(value: string): string {
  return value.replace(
    /[\\"'`\n\r\t]/g,
    (c) =>
      ({ "\\": "\\\\", '"': '\\"', "'": "\\'", "`": "\\`", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? c,
  );
}

/** Replaces {{args.NAME}} (and {{ args.NAME }}); throws naming an arg that has no value. */
export function substitute(
  template: string,
  args: Record<string, string>,
  encode: (v: string) => string,
): string {
  return template.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (_, name: string) => {
    const value = args[name];
    if (value === undefined)
      throw new Error(`{{args.${name}}}: no arg "${name}" was given (declare it in the template's args)`);
    return encode(value);
  });
}

/** A URL: an arg that is the whole URL goes in as is; an arg inside one is encoded so it stays one part. */
export function substituteUrl(template: string, args: Record<string, string>): string {
  const whole = /^\s*\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\}\s*$/.test(template);
  return substitute(template, args, whole ? (v) => v : encodeURIComponent);
}

type Header = {
  key: string;
  value?: string | undefined;
  valueFrom?: { secretKeyRef: { name: string; key: string } } | undefined;
};

/** A metric's headers: a value with its args replaced (as Argo does), or a Secret key's value. */
export async function headerValues(
  headers: readonly Header[] | undefined,
  ctx: Pick<MeasureContext, "args" | "secret">,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) {
    const ref = h.valueFrom?.secretKeyRef;
    out[h.key] =
      h.value !== undefined
        ? substitute(h.value, ctx.args, (v) => v)
        : ref
          ? await ctx.secret(ref.name, ref.key)
          : "";
  }
  return out;
}
