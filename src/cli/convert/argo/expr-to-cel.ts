// Argo Rollouts' successCondition/failureCondition (the expr language) translated to ramp's CEL: parsed
// into an AST, rewritten into a CEL tree, printed with the fewest parentheses CEL's precedence allows.
// A construct without a faithful CEL form is refused with its position, never guessed.
//
// Rules the output follows:
// - Numbers: ramp binds `result` as JSON, so every measured number is a CEL double, and CEL never mixes int
//   and double in arithmetic. An int literal compared with, or computed with, a measured value is printed as a
//   double (`result[0] > 0.0`); int-valued expressions (`size()`, `int()`) are wrapped in `double()` where
//   arithmetic needs it; `/` is always double (expr's `/` always returns a float); indexes stay int.
// - Strings are printed double-quoted whatever quote expr used ('ok' → "ok"), so the output has one form.
// - `{{args.NAME}}` placeholders are kept as written: ramp pastes args into conditions as Argo does.
// - CEL's `&&`/`||` absorb an error when the other side decides, where expr would stop on the error: a
//   condition that errored in Argo may decide in ramp, never the other way round.
import { ExprError, where } from "./expr-lexer.ts";
import { type Node, parseExpr } from "./expr-parser.ts";

export type ExprTranslation = { ok: true; cel: string; notes: string[] } | { ok: false; reason: string };

/** Translates one expr condition; `reason` names the construct and its column when it cannot. */
export function exprToCel(expr: string): ExprTranslation {
  try {
    const translator = new Translator();
    const cel = print(translator.node(parseExpr(expr)));
    return { ok: true, cel, notes: [...translator.notes] };
  } catch (err) {
    if (err instanceof ExprError) return { ok: false, reason: `${where(expr, err.pos)}: ${err.message}` };
    throw err;
  }
}

/** Static types, as far as the source shows them; "dyn" is a measured value, a double when a number. */
type Ty = "int" | "double" | "string" | "bool" | "null" | "list" | "dyn" | "arg";

type Cel =
  | { k: "lit"; text: string; t: Ty; int?: bigint }
  | { k: "id"; name: string; t: Ty }
  | { k: "sel"; obj: Cel; field: string; t: Ty }
  | { k: "idx"; obj: Cel; index: Cel; t: Ty }
  | { k: "call"; fn: string; args: Cel[]; t: Ty }
  | { k: "method"; recv: Cel; name: string; args: Cel[]; t: Ty }
  | { k: "un"; op: "!" | "-"; arg: Cel; t: Ty }
  | { k: "bin"; op: string; l: Cel; r: Cel; t: Ty }
  | { k: "cond"; c: Cel; a: Cel; b: Cel; t: Ty }
  | { k: "list"; items: Cel[]; t: Ty; elem: Ty };

const NOTES = {
  nan: "isNaN(): ramp judges NaN as no data before any condition runs (the metric's noData policy decides), so this check never sees NaN",
  nil: "a missing result is no data in ramp, judged before any condition runs by the metric's noData policy, so this fallback never applies",
  len: "len(result): an empty result is no data in ramp, judged before any condition runs by the metric's noData policy",
  matches:
    "matches: ramp runs the pattern as a JavaScript regular expression, Argo as Go RE2; common patterns mean the same in both",
  arg: "an {{args.NAME}} in arithmetic is pasted as written, and CEL does not mix int and double: give a number arg a decimal point (5.0)",
  index:
    "a computed index is taken as non-negative: expr counts a negative index from the end, CEL refuses it",
};
const MACROS: Record<string, { method: string; t: Ty }> = {
  all: { method: "all", t: "bool" },
  any: { method: "exists", t: "bool" },
  none: { method: "exists", t: "bool" },
  one: { method: "exists_one", t: "bool" },
  filter: { method: "filter", t: "list" },
  map: { method: "map", t: "list" },
  count: { method: "filter", t: "int" },
};
const STRING_OPS = new Set(["contains", "startsWith", "endsWith", "matches"]);
const CEL_RESERVED = new Set(
  "true false null in as break const continue else for function if import let loop package namespace return var void while".split(
    " ",
  ),
);
const VARS = ["x", "y", "z", "w"];

const intLit = (v: bigint): Cel => ({ k: "lit", text: String(v), t: "int", int: v });
const dblLit = (v: number): Cel => {
  const s = String(v);
  return { k: "lit", text: /^-?\d+$/.test(s) ? `${s}.0` : s, t: "double" };
};
const isNum = (t: Ty): boolean => t === "double" || t === "dyn";
const isIntLit = (c: Cel): boolean => c.k === "lit" && c.int !== undefined;
const bin = (op: string, l: Cel, r: Cel, t: Ty = "bool"): Cel => ({ k: "bin", op, l, r, t });
const method = (recv: Cel, name: string, args: Cel[], t: Ty): Cel => ({ k: "method", recv, name, args, t });
const NULL: Cel = { k: "lit", text: "null", t: "null" };
const celLit = (s: string): Cel => ({ k: "lit", text: celString(s), t: "string" });

/** An int literal as a double literal; with `all`, any int-typed expression as `double(…)`. */
function toDouble(c: Cel, all = false): Cel {
  if (c.k === "lit" && c.int !== undefined) {
    const n = Number(c.int);
    return Number.isSafeInteger(n) ? { k: "lit", text: `${c.int}.0`, t: "double" } : dblLit(n);
  }
  return all && c.t === "int" ? { k: "call", fn: "double", args: [c], t: "double" } : c;
}

class Translator {
  readonly notes = new Set<string>();
  /** The CEL variable and element type of each enclosing predicate: `#` is the innermost. */
  readonly #scope: { name: string; t: Ty }[] = [];

  node(n: Node): Cel {
    switch (n.kind) {
      case "int":
        return intLit(n.value);
      case "float":
        return dblLit(n.value);
      case "str":
        return { k: "lit", text: celString(n.value), t: "string" };
      case "bool":
        return { k: "lit", text: String(n.value), t: "bool" };
      case "nil":
        return NULL;
      case "arg":
        return { k: "lit", text: n.text, t: "arg" };
      case "ident":
        if (n.name === "result") return { k: "id", name: "result", t: "dyn" };
        throw new ExprError(`unknown variable ${n.name}: Argo binds only result`, n.pos);
      case "pointer": {
        const top = this.#scope.at(-1);
        if (!top) throw new ExprError("syntax error: # outside a predicate", n.pos);
        return { k: "id", name: top.name, t: top.t };
      }
      case "member":
        return this.#member(n);
      case "unary":
        return this.#unary(n);
      case "binary":
        return this.#binary(n);
      case "cond":
        return this.#cond(this.node(n.test), this.node(n.then), this.node(n.else));
      case "call":
        return this.#call(n);
      case "predicate":
        throw new ExprError(
          "a predicate {…} outside all(), any(), none(), one(), filter(), map() or count()",
          n.pos,
        );
      case "array":
        return this.#list(
          n.items.map((i) => this.node(i)),
          n.pos,
        );
    }
  }

  #member(n: Extract<Node, { kind: "member" }>): Cel {
    const obj = this.node(n.object);
    const elem: Ty = obj.k === "list" ? obj.elem : "dyn";
    const p = n.property;
    if (n.dot && p.kind === "str") {
      const plain = /^[A-Za-z_]\w*$/.test(p.value) && !CEL_RESERVED.has(p.value);
      const key: Cel = { k: "lit", text: celString(p.value), t: "string" };
      return plain ? { k: "sel", obj, field: p.value, t: "dyn" } : { k: "idx", obj, index: key, t: "dyn" };
    }
    // expr's result[-k] is the k-th from the end.
    if (p.kind === "unary" && p.op === "-" && p.operand.kind === "int" && p.operand.value > 0n) {
      const last = bin("-", method(obj, "size", [], "int"), intLit(p.operand.value), "int");
      return { k: "idx", obj, index: last, t: elem };
    }
    const index = this.node(p);
    if (index.t !== "string" && !isIntLit(index)) this.notes.add(NOTES.index);
    return { k: "idx", obj, index, t: index.t === "string" ? "dyn" : elem };
  }

  #unary(n: Extract<Node, { kind: "unary" }>): Cel {
    const o = n.operand;
    if (n.op === "!" && o.kind === "call" && o.name === "isNaN") {
      const x = this.#args(o, 1)[0] as Cel;
      this.notes.add(NOTES.nan);
      return bin("==", x, x);
    }
    if (n.op === "+") return this.node(o);
    const arg = this.node(o);
    if (n.op === "-" && arg.k === "lit" && arg.int !== undefined) return intLit(-arg.int);
    if (n.op === "-" && arg.k === "lit" && arg.t === "double") return dblLit(-Number(arg.text));
    return { k: "un", op: n.op, arg, t: n.op === "!" ? "bool" : arg.t };
  }

  #binary(n: Extract<Node, { kind: "binary" }>): Cel {
    const op = n.op === "and" ? "&&" : n.op === "or" ? "||" : n.op;
    let l = this.node(n.left);
    let r = this.node(n.right);
    if (op === "&&" || op === "||") return bin(op, l, r);
    if (STRING_OPS.has(op)) {
      if (op === "matches") this.notes.add(NOTES.matches);
      return method(l, op, [r], "bool");
    }
    if ((op === "==" || op === "!=") && (l.t === "null" || r.t === "null")) return this.#nilCheck(op, l, r);
    if (["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      if (isIntLit(l) && isNum(r.t)) l = toDouble(l);
      if (isIntLit(r) && isNum(l.t)) r = toDouble(r);
      return bin(op, l, r);
    }
    if (op === "in") {
      if (r.k === "list" && isNum(l.t) && r.elem !== "string")
        r = this.#list(
          r.items.map((i) => toDouble(i)),
          n.pos,
        );
      if (isIntLit(l) && r.k === "list" && r.elem === "double") l = toDouble(l);
      return bin("in", l, r);
    }
    if (op === "**" || op === "^") return this.#power(l, r, n.pos);
    if (op === "%") return bin("%", l, r, l.t === "int" && r.t === "int" ? "int" : "dyn");
    if (l.t === "arg" || r.t === "arg") this.notes.add(NOTES.arg);
    if (op === "/") {
      const t: Ty = l.t === "dyn" || r.t === "dyn" ? "dyn" : "double";
      return bin("/", toDouble(l, true), toDouble(r, true), t);
    }
    // + - *: strings and lists concatenate as they are; ints stay ints; anything with a double is double.
    if (["string", "list"].includes(l.t) || ["string", "list"].includes(r.t)) return bin(op, l, r, l.t);
    if (l.t === "int" && r.t === "int") return bin(op, l, r, "int");
    if (isNum(l.t) || isNum(r.t)) {
      l = toDouble(l, true);
      r = toDouble(r, true);
    }
    return bin(op, l, r, l.t === "double" && r.t === "double" ? "double" : "dyn");
  }

  /** `x.f == nil`: a missing key is nil in expr and an error in CEL, so presence is tested first. */
  #nilCheck(op: string, l: Cel, r: Cel): Cel {
    const x = l.t === "null" ? r : l;
    if (x.k === "id" && x.name === "result") this.notes.add(NOTES.nil);
    const present: Cel | undefined =
      x.k === "sel"
        ? { k: "call", fn: "has", args: [x], t: "bool" }
        : x.k === "idx" && x.index.t === "string"
          ? bin("in", x.index, x.obj)
          : undefined;
    if (!present) return bin(op, x, NULL);
    return op === "=="
      ? bin("||", { k: "un", op: "!", arg: present, t: "bool" }, bin("==", x, NULL))
      : bin("&&", present, bin("!=", x, NULL));
  }

  #power(l: Cel, r: Cel, pos: number): Cel {
    if (
      l.k === "lit" &&
      l.int !== undefined &&
      r.k === "lit" &&
      r.int !== undefined &&
      r.int >= 0n &&
      r.int <= 64n
    ) {
      const v = l.int ** r.int;
      // expr's ** is Go's math.Pow, a float: exact here, as the result is an integer below 2^53.
      if (v <= 2n ** 53n && v >= -(2n ** 53n)) return toDouble(intLit(v));
    }
    throw new ExprError(
      "the power operator ** (or ^) has no CEL form; only literal integers are folded",
      pos,
    );
  }

  #cond(c: Cel, a0: Cel, b0: Cel): Cel {
    // CEL wants both branches of one type: an int literal beside a number becomes a double.
    const a = isNum(b0.t) && (isIntLit(a0) || b0.t === "double") ? toDouble(a0, true) : a0;
    const b = isNum(a.t) && (isIntLit(b0) || a.t === "double") ? toDouble(b0, true) : b0;
    return { k: "cond", c, a, b, t: a.t === b.t ? a.t : "dyn" };
  }

  #list(items0: Cel[], pos: number): Cel {
    const doubles = items0.some((i) => i.t === "double");
    const items = doubles ? items0.map((i) => toDouble(i, true)) : items0;
    const known = new Set(items.map((i) => i.t).filter((t) => t !== "dyn" && t !== "arg"));
    if (known.size > 1)
      throw new ExprError("an array literal mixing types is not translated: a CEL list holds one type", pos);
    const elem: Ty = known.size === 1 && items.every((i) => i.t !== "dyn") ? ([...known][0] as Ty) : "dyn";
    return { k: "list", items, t: "list", elem };
  }

  #args(n: Extract<Node, { kind: "call" }>, count: number): Cel[] {
    if (n.args.length !== count)
      throw new ExprError(
        `${n.name}() takes ${count} argument${count === 1 ? "" : "s"}, not ${n.args.length}`,
        n.pos,
      );
    return n.args.map((a) => this.node(a));
  }

  #call(n: Extract<Node, { kind: "call" }>): Cel {
    const first = n.args[0];
    const onResult = first?.kind === "ident" && first.name === "result";
    switch (n.name) {
      case "len": {
        const [x] = this.#args(n, 1) as [Cel];
        if (onResult) this.notes.add(NOTES.len);
        return method(x, "size", [], "int");
      }
      case "isNaN": {
        const [x] = this.#args(n, 1) as [Cel];
        this.notes.add(NOTES.nan);
        return bin("!=", x, x);
      }
      case "isInf": {
        const [x] = this.#args(n, 1) as [Cel];
        const inf = (s: string): Cel => ({ k: "call", fn: "double", args: [celLit(s)], t: "double" });
        return bin("||", bin("==", x, inf("inf")), bin("==", x, inf("-inf")));
      }
      case "isNil":
      case "default": {
        // Argo's isNil() and default() ignore their first argument and test `result` itself.
        if (!onResult)
          throw new ExprError(
            `${n.name}() on anything but result: Argo's ${n.name}() tests result whatever its first argument`,
            n.pos,
          );
        const args = this.#args(n, n.name === "isNil" ? 1 : 2);
        this.notes.add(NOTES.nil);
        const res: Cel = { k: "id", name: "result", t: "dyn" };
        if (n.name === "isNil") return bin("==", res, NULL);
        return this.#cond(bin("==", res, NULL), args[1] as Cel, res);
      }
      case "asInt":
      case "int":
        return { k: "call", fn: "int", args: this.#args(n, 1), t: "int" };
      case "asFloat":
      case "float":
        return { k: "call", fn: "double", args: this.#args(n, 1), t: "double" };
      case "abs": {
        const [x] = this.#args(n, 1) as [Cel];
        const zero = x.t === "int" ? intLit(0n) : dblLit(0);
        return { k: "cond", c: bin("<", x, zero), a: { k: "un", op: "-", arg: x, t: x.t }, b: x, t: x.t };
      }
      case "hasPrefix":
      case "hasSuffix": {
        const [s, p] = this.#args(n, 2) as [Cel, Cel];
        return method(s, n.name === "hasPrefix" ? "startsWith" : "endsWith", [p], "bool");
      }
    }
    const macro = MACROS[n.name];
    if (macro) return this.#macro(n, macro);
    // max/min among them: ramp's CEL library (cel-js) has neither.
    throw new ExprError(`the function ${n.name}() is not translated: ramp's CEL has no equivalent`, n.pos);
  }

  /** all/any/none/one/filter/map/count(array, predicate) → CEL's comprehension macros. */
  #macro(n: Extract<Node, { kind: "call" }>, m: { method: string; t: Ty }): Cel {
    const [arrNode, pred] = n.args;
    if (n.args.length !== 2 || !arrNode || pred?.kind !== "predicate")
      throw new ExprError(`${n.name}() takes an array and a predicate`, n.pos);
    const arr = this.node(arrNode);
    const name = VARS[this.#scope.length] ?? `x${this.#scope.length}`;
    const elem: Ty = arr.k === "list" ? arr.elem : "dyn";
    this.#scope.push({ name, t: elem });
    const body = this.node(pred.body);
    this.#scope.pop();
    const call = method(arr, m.method, [{ k: "id", name, t: elem }, body], m.t === "int" ? "list" : m.t);
    if (n.name === "none") return { k: "un", op: "!", arg: call, t: "bool" };
    return n.name === "count" ? method(call, "size", [], "int") : call;
  }
}

/** A CEL double-quoted string literal. */
function celString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

// CEL's precedence, loosest first: ?: || && relations + * unary member.
const PREC: Record<string, number> = { "||": 2, "&&": 3, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6 };

function prec(c: Cel): number {
  if (c.k === "cond") return 1;
  if (c.k === "bin") return PREC[c.op] ?? 4;
  if (c.k === "un" || (c.k === "lit" && c.text.startsWith("-"))) return 7;
  return 8;
}

/** `c` printed, in parentheses when it binds looser than `min` (or as loose, with `strict`). */
function wrap(c: Cel, min: number, strict = false): string {
  const p = prec(c);
  return p < min || (strict && p === min) ? `(${print(c)})` : print(c);
}

function print(c: Cel): string {
  const list = (xs: Cel[]) => xs.map(print).join(", ");
  switch (c.k) {
    case "lit":
      return c.text;
    case "id":
      return c.name;
    case "sel":
      return `${wrap(c.obj, 8)}.${c.field}`;
    case "idx":
      return `${wrap(c.obj, 8)}[${print(c.index)}]`;
    case "call":
      return `${c.fn}(${list(c.args)})`;
    case "method":
      return `${wrap(c.recv, 8)}.${c.name}(${list(c.args)})`;
    case "un": {
      const s = wrap(c.arg, 7);
      return c.op === "-" && s.startsWith("-") ? `-(${s})` : `${c.op}${s}`;
    }
    case "bin": {
      const p = prec(c);
      // && and || are associative in CEL; a relation inside a relation keeps its parentheses.
      const same = (c.op === "&&" || c.op === "||") && c.r.k === "bin" && c.r.op === c.op;
      return `${wrap(c.l, p, p === 4)} ${c.op} ${wrap(c.r, same ? p : p + 1)}`;
    }
    case "cond":
      return `${wrap(c.c, 2)} ? ${wrap(c.a, 2)} : ${print(c.b)}`;
    case "list":
      return `[${list(c.items)}]`;
  }
}
