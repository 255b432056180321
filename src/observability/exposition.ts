// Prometheus' text exposition format (0.0.4, prom-client's default) for series rendered at scrape time,
// written in chunks so that no scrape ever builds one string of every series.

/** Series rendered at scrape time: each call yields the exposition text in chunks of whole lines. */
export type ExpositionSource = () => Iterable<string> | AsyncIterable<string>;

/** One metric family: the name, HELP text and label names every one of its samples has. */
export type Family = { name: string; help: string; type: "gauge"; labelNames: readonly string[] };

/** Chunks of about this size: big enough to keep writes few, small enough to stay out of the old space. */
export const CHUNK_BYTES = 64 * 1024;

const LABEL_SPECIALS = /[\\"\n]/;

/** A label value as the format quotes it: backslash, double quote and newline escaped. */
export function escapeLabel(v: string): string {
  if (!LABEL_SPECIALS.test(v)) return v;
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** The # HELP and # TYPE lines, HELP escaped as prom-client escapes it. */
export const header = (f: Family): string =>
  `# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${f.name} ${f.type}\n`;

/** A sample value as prom-client prints it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v < 0 ? "-Inf" : "+Inf";
  return String(v);
}

/** Collects lines and hands back a chunk whenever it has `bytes` (string length, close enough) of them. */
export class Chunker {
  #buf = "";
  readonly #bytes: number;

  constructor(bytes = CHUNK_BYTES) {
    this.#bytes = bytes;
  }

  /** Appends text; returns a full chunk to write, or undefined while there is room. */
  push(text: string): string | undefined {
    this.#buf += text;
    return this.#buf.length >= this.#bytes ? this.flush() : undefined;
  }

  /** What is left, or undefined when nothing is. */
  flush(): string | undefined {
    const out = this.#buf;
    this.#buf = "";
    return out === "" ? undefined : out;
  }
}
