// Tokens of the expr language (github.com/expr-lang/expr) as Argo Rollouts conditions use it, read the way
// expr's own lexer reads them: word operators, `not in`-style suffixes, `#` pointers, three string quotes.
// ramp's `{{args.NAME}}` placeholders are one opaque token: ramp pastes args into conditions as written.

export type TokenKind = "num" | "str" | "ident" | "op" | "arg" | "eof";

export type Token = {
  kind: TokenKind;
  /** The source text; for "str" the decoded value. */
  text: string;
  /** Offset of the token's first character in the source. */
  pos: number;
};

/** A refusal or a syntax error, at a position in the source. */
export class ExprError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.name = "ExprError";
    this.pos = pos;
  }
}

/** "column N" for one-line sources, "line L, column N" otherwise (conditions may be YAML block scalars). */
export function where(source: string, pos: number): string {
  const before = source.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return source.includes("\n") ? `line ${line}, column ${column}` : `column ${column}`;
}

const WORD_OPS = new Set(["not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let"]);
// expr's lexer makes these operators too (the `if … {} else {}` form).
const KEYWORD_OPS = new Set(["if", "else"]);
const TWO_CHAR = new Set(["==", "!=", "<=", ">=", "&&", "||", "**", "?.", "??", "..", "::"]);
const ONE_CHAR = "()[]{},;:?.|&!=<>+-*/%^";
const ARG = /^\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\}/;
const IDENT_START = /[\p{L}_$]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const at = (k: number): string => src[k] ?? "";
  while (i < src.length) {
    const c = at(i);
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && at(i + 1) === "/") {
      while (i < src.length && at(i) !== "\n") i++;
    } else if (c === "/" && at(i + 1) === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new ExprError("syntax error: an unclosed /* comment", start);
      i = end + 2;
    } else if (c === "{" && at(i + 1) === "{") {
      const m = ARG.exec(src.slice(i));
      if (!m)
        throw new ExprError(
          "a template placeholder other than {{args.NAME}} is not translated: ramp substitutes only analysis args",
          start,
        );
      out.push({ kind: "arg", text: m[0], pos: start });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(at(i + 1)))) {
      i = number(src, i);
      out.push({ kind: "num", text: src.slice(start, i), pos: start });
    } else if (c === '"' || c === "'") {
      const [value, end] = quoted(src, i);
      out.push({ kind: "str", text: value, pos: start });
      i = end;
    } else if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end < 0) throw new ExprError("syntax error: an unterminated `raw string`", start);
      out.push({ kind: "str", text: src.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if ((c === "b" || c === "B") && (at(i + 1) === '"' || at(i + 1) === "'")) {
      throw new ExprError('a bytes literal b"…" is not translated', start);
    } else if (c === "#") {
      i++;
      while (IDENT_PART.test(at(i))) i++;
      out.push({ kind: "op", text: src.slice(start, i), pos: start });
    } else if (IDENT_START.test(c)) {
      while (IDENT_PART.test(at(i))) i++;
      const word = src.slice(start, i);
      out.push({
        kind: WORD_OPS.has(word) || KEYWORD_OPS.has(word) ? "op" : "ident",
        text: word,
        pos: start,
      });
    } else if (TWO_CHAR.has(src.slice(i, i + 2))) {
      out.push({ kind: "op", text: src.slice(i, i + 2), pos: start });
      i += 2;
    } else if (ONE_CHAR.includes(c)) {
      out.push({ kind: "op", text: c, pos: start });
      i++;
    } else {
      throw new ExprError(`syntax error: an unexpected character ${JSON.stringify(c)}`, start);
    }
  }
  out.push({ kind: "eof", text: "", pos: src.length });
  return out;
}

/** The end of the number at `i`, scanned as expr scans one (prefixes, `_` separators, `.5`, `1e3`). */
function number(src: string, from: number): number {
  let i = from;
  let digits = /[0-9_]/;
  if (src[i] === "0" && /[xXoObB]/.test(src[i + 1] ?? "")) {
    digits = /[xX]/.test(src[i + 1] ?? "")
      ? /[0-9a-fA-F_]/
      : /[oO]/.test(src[i + 1] ?? "")
        ? /[0-7_]/
        : /[01_]/;
    i += 2;
  }
  while (digits.test(src[i] ?? "")) i++;
  // `1..3` is a range, not the float `1.`.
  if (src[i] === "." && src[i + 1] !== ".") {
    i++;
    while (digits.test(src[i] ?? "")) i++;
  }
  if (/[eE]/.test(src[i] ?? "") && digits.source === "[0-9_]") {
    i++;
    if (/[+-]/.test(src[i] ?? "")) i++;
    while (digits.test(src[i] ?? "")) i++;
  }
  if (IDENT_PART.test(src[i] ?? ""))
    throw new ExprError(`syntax error: a malformed number "${src.slice(from, i + 1)}"`, from);
  return i;
}

/** The decoded value of the '…' or "…" string at `from`, and the offset after its closing quote. */
function quoted(src: string, from: number): [string, number] {
  const quote = src[from];
  let out = "";
  let i = from + 1;
  for (;;) {
    const c = src[i];
    if (c === undefined || c === "\n") throw new ExprError("syntax error: an unterminated string", from);
    if (c === quote) return [out, i + 1];
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1] ?? "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined || e === quote) {
      out += simple ?? e;
      i += 2;
      continue;
    }
    const hex = { x: 2, u: 4, U: 8 }[e];
    const octal = /[0-7]/.test(e);
    const digits = hex ? src.slice(i + 2, i + 2 + hex) : src.slice(i + 1, i + 4);
    const ok = hex ? new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits) : octal && /^[0-7]{3}$/.test(digits);
    if (!ok) throw new ExprError(`syntax error: an invalid escape \\${e} in a string`, i);
    const code = Number.parseInt(digits, hex ? 16 : 8);
    // \x and octal escapes are bytes in Go; above 0x7F they are not one character.
    if ((e === "x" || octal) && code > 0x7f)
      throw new ExprError(
        `the byte escape \\${e === "x" ? "x" : ""}${digits} is not translated: above 0x7F it is not a character`,
        i,
      );
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      throw new ExprError(`syntax error: an invalid code point escape \\${e}${digits}`, i);
    out += String.fromCodePoint(code);
    i += (hex ? 2 : 1) + digits.length;
  }
}
