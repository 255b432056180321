// {{args.NAME}} substitution: escaped for PromQL string literals or URLs, so an arg can never change a query's shape.
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
