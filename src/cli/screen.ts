// Redraws a frame of text in place on a terminal: only changed lines are rewritten, in one write, with
// the cursor hidden; no screen clear (no flicker) and nothing scrolls. Not on a terminal, each changed
// frame is printed after the previous one, plain.

import type { Out } from "./context.ts";
import { visibleLength } from "./inspect/format.ts";

const HIDE = "\x1b[?25l";
const SHOW = "\x1b[?25h";

/** Cuts a line to `width` visible characters, keeping ANSI color codes whole. */
export function clip(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let out = "";
  let seen = 0;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes pass through uncounted
  for (const part of line.split(/(\x1b\[[0-9;?]*[A-Za-z])/)) {
    if (part.startsWith("\x1b[")) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (seen >= width - 1) return `${out}…\x1b[0m`;
      out += ch;
      seen++;
    }
  }
  return out;
}

export class Screen {
  readonly #out: Out;
  #previous: string[] | undefined;
  #previousKey: string | undefined;
  #hidden = false;
  readonly #restore = () => this.close();

  constructor(out: Out) {
    this.#out = out;
  }

  get live(): boolean {
    return this.#out.isTTY === true;
  }

  /** Shows `lines`; `key` (default: the text) decides whether a frame differs, for plain output. */
  draw(lines: string[], key = lines.join("\n")): void {
    if (!this.live) {
      if (key === this.#previousKey) return;
      this.#out.write(`${this.#previous ? "\n" : ""}${lines.join("\n")}\n`);
      this.#previous = lines;
      this.#previousKey = key;
      return;
    }
    const width = Math.max(20, this.#out.columns ?? 80);
    const height = Math.max(3, (this.#out.rows ?? 24) - 1);
    let frame = lines.map((l) => clip(l, width));
    if (frame.length > height)
      frame = [...frame.slice(0, height - 1), `… ${frame.length - height + 1} more lines`];
    const prev = this.#previous;
    let out = "";
    if (!this.#hidden) {
      out += HIDE;
      this.#hidden = true;
      process.once("exit", this.#restore);
    }
    if (!prev) {
      out += frame.map((l) => `${l}\n`).join("");
    } else {
      if (prev.length === frame.length && prev.every((l, i) => l === frame[i])) return;
      // Back to the frame's first line, then rewrite only what changed; CNL skips a line unchanged.
      out += `\x1b[${prev.length}F`;
      frame.forEach((l, i) => {
        out += l === prev[i] ? "\x1b[1E" : `\x1b[2K${l}\n`;
      });
      if (frame.length < prev.length) out += "\x1b[J";
    }
    this.#out.write(out);
    this.#previous = frame;
  }

  /** Shows the cursor again; safe to call twice. */
  close(): void {
    if (!this.#hidden) return;
    this.#hidden = false;
    process.removeListener("exit", this.#restore);
    this.#out.write(SHOW);
  }
}
