// A Pratt parser for the expr language's expression subset, with expr's own precedences
// (parser/operator/operator.go): unary `!`/`not` bind at 50 (so `!a * b` is `!(a * b)`), unary `-` at 90,
// `**` is right-associative, and `a < b < c` chains into `a < b && b < c`. Constructs with no CEL form
// (`??`, `?.`, pipes, ranges, slices, `let`, `if`, map literals, method calls) are refused here, by position.
import { ExprError, lex, type Token } from "./expr-lexer.ts";

export type Node =
  | { kind: "int"; value: bigint; pos: number }
  | { kind: "float"; value: number; pos: number }
  | { kind: "str"; value: string; pos: number }
  | { kind: "bool"; value: boolean; pos: number }
  | { kind: "nil"; pos: number }
  | { kind: "arg"; text: string; pos: number }
  | { kind: "ident"; name: string; pos: number }
  /** `#` (or the `.` of `.field`) inside a predicate: the element. */
  | { kind: "pointer"; pos: number }
  /** `a.b` (dot: true, property a "str") or `a[b]`. */
  | { kind: "member"; object: Node; property: Node; dot: boolean; pos: number }
  | { kind: "unary"; op: "!" | "-" | "+"; operand: Node; pos: number }
  | { kind: "binary"; op: string; left: Node; right: Node; pos: number }
  | { kind: "cond"; test: Node; then: Node; else: Node; pos: number }
  | { kind: "call"; name: string; args: Node[]; pos: number }
  | { kind: "predicate"; body: Node; pos: number }
  | { kind: "array"; items: Node[]; pos: number };

const BINARY: Record<string, { prec: number; right?: true }> = {
  "|": { prec: 0 },
  or: { prec: 10 },
  "||": { prec: 10 },
  and: { prec: 15 },
  "&&": { prec: 15 },
  "==": { prec: 20 },
  "!=": { prec: 20 },
  "<": { prec: 20 },
  ">": { prec: 20 },
  ">=": { prec: 20 },
  "<=": { prec: 20 },
  in: { prec: 20 },
  matches: { prec: 20 },
  contains: { prec: 20 },
  startsWith: { prec: 20 },
  endsWith: { prec: 20 },
  "..": { prec: 25 },
  "+": { prec: 30 },
  "-": { prec: 30 },
  "*": { prec: 60 },
  "/": { prec: 60 },
  "%": { prec: 60 },
  "**": { prec: 100, right: true },
  "^": { prec: 100, right: true },
  "??": { prec: 500 },
};
const UNARY: Record<string, { prec: number; op: "!" | "-" | "+" }> = {
  not: { prec: 50, op: "!" },
  "!": { prec: 50, op: "!" },
  "-": { prec: 90, op: "-" },
  "+": { prec: 90, op: "+" },
};
const NEGATABLE = new Set(["in", "matches", "contains", "startsWith", "endsWith"]);
const CHAINED = new Set(["<", ">", "<=", ">="]);
const SEQUENCE = "a sequence of expressions (;) is not translated: a condition is one expression";
const SLICE = "a slice [a:b] has no CEL form";
/** expr's built-ins whose second argument is a predicate (parser.go `predicates`). */
const PREDICATE_FNS = new Set([
  ...["all", "none", "any", "one", "filter", "map", "count", "sum", "find", "findIndex"],
  ...["findLast", "findLastIndex", "groupBy", "sortBy", "reduce"],
]);
const REFUSED_OPS: Record<string, string> = {
  "|": "the pipe operator | is not translated: call the function with the value as its first argument",
  "..": "the range operator .. has no CEL form",
  "??": "the nil-coalescing operator ?? has no faithful CEL form (a missing field is nil in expr, an error in CEL)",
};

export function parseExpr(source: string): Node {
  return new Parser(lex(source)).parseAll();
}

class Parser {
  readonly #tokens: Token[];
  #i = 0;
  /** How many predicates enclose the current token: `#` and `.field` are valid only inside one. */
  #depth = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parseAll(): Node {
    const node = this.expression(0);
    const t = this.#peek();
    if (t.text === ";") throw new ExprError(SEQUENCE, t.pos);
    if (t.kind !== "eof") throw new ExprError(`syntax error: unexpected ${describe(t)}`, t.pos);
    return node;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#i + ahead, this.#tokens.length - 1)] as Token;
  }

  #next(): Token {
    const t = this.#peek();
    if (this.#i < this.#tokens.length - 1) this.#i++;
    return t;
  }

  #isOp(text: string, ahead = 0): boolean {
    const t = this.#peek(ahead);
    return t.kind === "op" && t.text === text;
  }

  #expect(text: string): Token {
    const t = this.#peek();
    if (t.kind !== "op" || t.text !== text)
      throw new ExprError(`syntax error: expected "${text}", found ${describe(t)}`, t.pos);
    return this.#next();
  }

  expression(prec: number): Node {
    const head = this.#peek();
    if (prec === 0 && head.kind === "op" && (head.text === "let" || head.text === "if"))
      throw new ExprError(
        head.text === "let"
          ? "a let variable is not translated: write its value where it is used"
          : "an if … else block is not translated: write it as a ternary a ? b : c",
        head.pos,
      );
    let left = this.#primary();
    for (;;) {
      const t = this.#peek();
      if (t.kind !== "op") break;
      // `not in`, `not contains`…: the operator after `not`, negated.
      const negate = t.text === "not" && NEGATABLE.has(this.#peek(1).text) && this.#peek(1).kind === "op";
      const opTok = negate ? this.#peek(1) : t;
      const op = BINARY[opTok.text];
      if (!op || op.prec < prec) break;
      this.#next();
      if (negate) this.#next();
      const refused = REFUSED_OPS[opTok.text];
      if (refused) throw new ExprError(refused, opTok.pos);
      if (CHAINED.has(opTok.text)) {
        left = this.#comparison(left, opTok, op.prec);
        continue;
      }
      const right = this.expression(op.right ? op.prec : op.prec + 1);
      left = { kind: "binary", op: opTok.text, left, right, pos: opTok.pos };
      if (negate) left = { kind: "unary", op: "!", operand: left, pos: t.pos };
    }
    if (prec === 0 && this.#isOp("?")) return this.#conditional(left);
    return left;
  }

  /** `a < b <= c` is expr's `a < b && b <= c`. */
  #comparison(first: Node, opTok: Token, prec: number): Node {
    let left = first;
    let tok = opTok;
    let root: Node | undefined;
    for (;;) {
      const right = this.expression(prec + 1);
      const cmp: Node = { kind: "binary", op: tok.text, left, right, pos: tok.pos };
      root = root ? { kind: "binary", op: "&&", left: root, right: cmp, pos: tok.pos } : cmp;
      left = right;
      const t = this.#peek();
      if (t.kind !== "op" || !CHAINED.has(t.text)) return root;
      tok = this.#next();
    }
  }

  #conditional(test: Node): Node {
    const q = this.#expect("?");
    if (this.#isOp(":"))
      throw new ExprError("the short ternary a ?: b is not translated: write a ? a : b", q.pos);
    const then = this.expression(0);
    this.#expect(":");
    return { kind: "cond", test, then, else: this.expression(0), pos: q.pos };
  }

  #primary(): Node {
    const t = this.#peek();
    const unary = t.kind === "op" ? UNARY[t.text] : undefined;
    if (unary) {
      this.#next();
      const operand = this.expression(unary.prec);
      return this.#postfix({ kind: "unary", op: unary.op, operand, pos: t.pos });
    }
    if (this.#isOp("(")) {
      this.#next();
      const inner = this.expression(0);
      if (this.#isOp(";")) throw new ExprError(SEQUENCE, this.#peek().pos);
      this.#expect(")");
      return this.#postfix(inner);
    }
    if (t.kind === "op" && t.text.startsWith("#")) {
      if (this.#depth === 0) throw new ExprError("syntax error: # outside a predicate", t.pos);
      if (t.text !== "#") throw new ExprError(`the predicate variable ${t.text} has no CEL form`, t.pos);
      this.#next();
      return this.#postfix({ kind: "pointer", pos: t.pos });
    }
    // `.field` inside a predicate is `#.field`: the `.` stays for #postfix to read.
    if (this.#isOp(".") && this.#depth > 0) return this.#postfix({ kind: "pointer", pos: t.pos });
    if (this.#isOp("::")) throw new ExprError("the :: operator is not translated", t.pos);
    return this.#postfix(this.#secondary());
  }

  #secondary(): Node {
    const t = this.#next();
    const pos = t.pos;
    switch (t.kind) {
      case "num":
        return numberNode(t);
      case "str":
        return { kind: "str", value: t.text, pos };
      case "arg":
        return { kind: "arg", text: t.text, pos };
      case "ident":
        if (t.text === "true" || t.text === "false") return { kind: "bool", value: t.text === "true", pos };
        if (t.text === "nil") return { kind: "nil", pos };
        if (this.#isOp("(")) return this.#call(t);
        return { kind: "ident", name: t.text, pos };
      case "op":
        if (t.text === "[") return { kind: "array", items: this.#list("]"), pos };
        if (t.text === "{") throw new ExprError("a map literal {…} is not translated", pos);
        break;
      case "eof":
        throw new ExprError("syntax error: the expression ends too early", pos);
    }
    throw new ExprError(`syntax error: unexpected ${describe(t)}`, pos);
  }

  #call(name: Token): Node {
    this.#expect("(");
    const args: Node[] = [];
    const withPredicate = PREDICATE_FNS.has(name.text);
    while (!this.#isOp(")")) {
      if (args.length > 0) {
        this.#expect(",");
        if (this.#isOp(")")) break;
      }
      args.push(withPredicate && args.length === 1 ? this.#predicate() : this.expression(0));
    }
    this.#expect(")");
    return { kind: "call", name: name.text, args, pos: name.pos };
  }

  /** `{# > 1}` or, braces omitted, `# > 1`. */
  #predicate(): Node {
    const start = this.#peek();
    const braces = this.#isOp("{");
    if (braces) this.#next();
    this.#depth++;
    const body = this.expression(0);
    this.#depth--;
    if (this.#isOp(";")) throw new ExprError(SEQUENCE, this.#peek().pos);
    if (braces) this.#expect("}");
    return { kind: "predicate", body, pos: start.pos };
  }

  #list(close: string): Node[] {
    const items: Node[] = [];
    while (!this.#isOp(close)) {
      if (items.length > 0) {
        this.#expect(",");
        if (this.#isOp(close)) break;
      }
      items.push(this.expression(0));
    }
    this.#expect(close);
    return items;
  }

  #postfix(node: Node): Node {
    let out = node;
    for (;;) {
      const t = this.#peek();
      if (t.kind !== "op") return out;
      if (t.text === "?.")
        throw new ExprError(
          "optional chaining ?. has no faithful CEL form (a missing field is an error in CEL)",
          t.pos,
        );
      if (t.text === ".") {
        this.#next();
        const prop = this.#next();
        // expr accepts word operators (`not`, `matches`…) as property names.
        if (prop.kind !== "ident" && !(prop.kind === "op" && /^[A-Za-z_]\w*$/.test(prop.text)))
          throw new ExprError(
            `syntax error: expected a field name after ".", found ${describe(prop)}`,
            prop.pos,
          );
        if (this.#isOp("("))
          throw new ExprError(
            `the method call .${prop.text}() is not translated: result is data, with no methods`,
            prop.pos,
          );
        const property: Node = { kind: "str", value: prop.text, pos: prop.pos };
        out = { kind: "member", object: out, property, dot: true, pos: prop.pos };
      } else if (t.text === "[") {
        this.#next();
        if (this.#isOp(":")) throw new ExprError(SLICE, t.pos);
        const index = this.expression(0);
        if (this.#isOp(":")) throw new ExprError(SLICE, t.pos);
        this.#expect("]");
        out = { kind: "member", object: out, property: index, dot: false, pos: t.pos };
      } else {
        return out;
      }
    }
  }
}

function numberNode(t: Token): Node {
  const text = t.text.replaceAll("_", "");
  const lower = text.toLowerCase();
  const isFloat = !/^0[xob]/.test(lower) && /[.e]/.test(lower);
  if (isFloat) {
    const value = Number(text.startsWith(".") ? `0${text}` : text);
    if (!Number.isFinite(value))
      throw new ExprError(`syntax error: the float literal ${t.text} is too large`, t.pos);
    return { kind: "float", value, pos: t.pos };
  }
  let value: bigint;
  try {
    value = BigInt(text);
  } catch {
    throw new ExprError(`syntax error: a malformed number ${t.text}`, t.pos);
  }
  if (value > 2n ** 63n - 1n)
    throw new ExprError(`syntax error: the integer literal ${t.text} is too large`, t.pos);
  return { kind: "int", value, pos: t.pos };
}

function describe(t: Token): string {
  if (t.kind === "eof") return "the end of the expression";
  return t.kind === "str" ? "a string" : `"${t.text}"`;
}
