// Parses a `kubectl ramp` command line and runs the command: the one place that turns errors into
// messages and exit codes.
import type { ParseArgsConfig } from "node:util";
import type { Command, Option } from "./command.ts";
import { complete, completion } from "./commands/completion.ts";
import { CliContext, describeError, EXIT, type Flags, type Io, UsageError } from "./context.ts";
import { GLOBAL_OPTIONS } from "./globals.ts";
import { COMMANDS } from "./registry.ts";

// Not imported: an ESM import of node:util builds its facade, which loads what its lazy getters hide
// (TextDecoder, worker_threads, …): about 8 ms of CPU at every start.
const { parseArgs } = process.getBuiltinModule("node:util");

export const ALL: Command[] = [...COMMANDS, completion];

const EXIT_CODES = `Exit codes:
  0   success (status: the rollout is Healthy)
  1   refused action, lint findings, an invalid Rollout (plan), a Degraded or aborted rollout, or an
      error from the cluster
  2   status: --timeout passed before the rollout was done
  64  usage error (unknown command or flag, missing NAME)
  130 interrupted (Ctrl-C)`;

function optionLines(options: Record<string, Option>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return [
      flag,
      o.help + (o.default !== undefined && o.default !== false ? ` (default ${String(o.default)})` : ""),
    ];
  });
  const width = Math.max(...rows.map(([f]) => (f ?? "").length)) + 2;
  return rows.map(([f, h]) => `  ${(f ?? "").padEnd(width)}${h}`);
}

export function commandHelp(c: Command): string {
  const lines = [`${c.summary}.`, ""];
  if (c.details) lines.push(c.details, "");
  lines.push("Examples:");
  for (const [comment, cmd] of c.examples) lines.push(`  # ${comment}`, `  ${cmd}`, "");
  if (Object.keys(c.options).length > 0) lines.push("Options:", ...optionLines(c.options), "");
  lines.push("Global options:", ...optionLines(GLOBAL_OPTIONS), "", "Usage:", `  ${c.usage}`, "", EXIT_CODES);
  return `${lines.join("\n")}\n`;
}

export function rootHelp(): string {
  const width = Math.max(...ALL.map((c) => c.words.join(" ").length)) + 3;
  return `kubectl ramp drives ramp Rollouts: see them, promote, abort, retry, pause, resume, restart, change
images, roll back, wait for them in CI, and check manifests before they reach the cluster.

Commands:
${ALL.map((c) => `  ${c.words.join(" ").padEnd(width)}${c.summary}`).join("\n")}

Examples:
  # See a rollout, and follow it as it ships
  kubectl ramp get rollout web --watch

  # Wait in CI until the new version is Healthy (exit 0) or fails (exit 1)
  kubectl ramp status web --timeout 10m

Global options:
${optionLines(GLOBAL_OPTIONS).join("\n")}

Usage:
  kubectl ramp COMMAND [NAME] [options]
  kubectl ramp COMMAND --help   (more about a command)

${EXIT_CODES}
`;
}

/** The command whose words start the positionals (the longest match), and the rest of them. */
export function findCommand(positionals: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[]; length: number } | undefined;
  for (const command of ALL) {
    for (const words of [command.words, ...(command.aliases ?? [])]) {
      if (words.every((w, i) => positionals[i] === w) && words.length > (best?.length ?? -1))
        best = { command, rest: positionals.slice(words.length), length: words.length };
    }
  }
  return best && { command: best.command, rest: best.rest };
}

type Config = NonNullable<ParseArgsConfig["options"]>;
const toConfig = (options: Record<string, Option>): Config =>
  Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  );

/**
 * kubectl's spellings parseArgs does not take: booleans as --watch=false (parseArgs wants --no-watch), and
 * a short flag's value after "=" (-n=shop, -o=json, -w=false).
 */
export function normalizeArgs(argv: string[], options: Record<string, Option>): string[] {
  const byShort = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name]] : [])));
  return argv.flatMap((given) => {
    let arg = given;
    const short = /^-([^-=])=(.*)$/s.exec(arg);
    const name = short ? byShort.get(short[1] ?? "") : undefined;
    if (short && name) {
      const value = short[2] ?? "";
      if (options[name]?.type === "string") return [`-${short[1]}`, value];
      arg = `--${name}=${value}`;
    }
    const m = /^--([^=]+)=(true|false)$/.exec(arg);
    if (!m || options[m[1] ?? ""]?.type !== "boolean") return [arg];
    return [m[2] === "true" ? `--${m[1]}` : `--no-${m[1]}`];
  });
}

/** The command line's flags and positionals, strictly: an unknown flag is a usage error. */
export function parse(argv: string[], options: Record<string, Option>) {
  const parsed = parseArgs({
    args: normalizeArgs(argv, options),
    options: toConfig(options),
    allowPositionals: true,
    allowNegative: true,
    strict: true,
  });
  return { values: negatedFlags(parsed.values as Flags, options), positionals: parsed.positionals };
}

/**
 * parseArgs reads a flag named --no-headers (or --no-color) as "headers" negated; put it back under its
 * own name, so `--no-headers` sets no-headers, and `--no-headers=false` clears it.
 */
function negatedFlags(values: Flags, options: Record<string, Option>): Flags {
  const out: Flags = { ...values };
  for (const [k, v] of Object.entries(values)) {
    if (options[`no-${k}`]?.type === "boolean" && !options[k] && typeof v === "boolean") {
      out[`no-${k}`] = !v;
      delete out[k];
    }
  }
  return out;
}

/** Every option any command takes, to find the positionals before the command is known. */
const ANY_OPTIONS: Record<string, Option> = Object.assign({}, GLOBAL_OPTIONS, ...ALL.map((c) => c.options));

/** Runs one command line; resolves with the exit code. Never throws. */
export async function run(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "__complete") {
    const words = argv.slice(1);
    // The connection flags typed so far (-n, --context, --kubeconfig, …) choose where names are looked up.
    const typed = parseArgs({
      args: normalizeArgs(words.slice(0, -1), ANY_OPTIONS),
      options: toConfig(ANY_OPTIONS),
      allowPositionals: true,
      allowNegative: true,
      strict: false,
    }).values as Flags;
    // A flag typed without its value yet (`--context <TAB>`) reads as true: it chooses nothing.
    for (const [k, v] of Object.entries(typed))
      if (ANY_OPTIONS[k]?.type === "string" && v === true) delete typed[k];
    try {
      return await complete(new CliContext(io, typed, []), words);
    } catch {
      io.stdout.write(":4\n");
      return EXIT.ok;
    }
  }
  let command: Command | undefined;
  try {
    const loose = parseArgs({
      args: normalizeArgs(argv, ANY_OPTIONS),
      options: toConfig(ANY_OPTIONS),
      allowPositionals: true,
      allowNegative: true,
      strict: false,
    });
    if (loose.positionals.length === 0) {
      io.stdout.write(rootHelp());
      return loose.values.help ? EXIT.ok : EXIT.usage;
    }
    const found = findCommand(loose.positionals);
    if (!found) throw new UsageError(`unknown command "${loose.positionals.join(" ")}"`);
    command = found.command;
    const { values, positionals } = parse(argv, { ...GLOBAL_OPTIONS, ...command.options });
    if (values.help) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const args = findCommand(positionals)?.rest ?? found.rest;
    if (args.length < command.args.min)
      throw new UsageError(
        `${command.usage.replace(/^kubectl ramp /, "")}: missing ${command.args.min > 1 ? "arguments" : "NAME"}`,
      );
    if (args.length > command.args.max)
      throw new UsageError(`unexpected argument "${args[command.args.max]}"`);
    const output = values.output;
    if (typeof output === "string" && command.outputs && !command.outputs.includes(output))
      throw new UsageError(`-o ${output}: not one of ${command.outputs.join("|")}`);
    const ctx = new CliContext(io, values as Flags, args);
    return await command.run(ctx);
  } catch (err) {
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      io.stderr.write(`error: ${err.message}\n`);
      io.stderr.write(
        command
          ? `Usage: ${command.usage}\nSee 'kubectl ramp ${command.words.join(" ")} --help'.\n`
          : "See 'kubectl ramp --help'.\n",
      );
      return EXIT.usage;
    }
    // ActionRefused (actions.ts), told by name: importing the class would load the API schemas at start-up.
    if (err instanceof Error && err.name === "ActionRefused") {
      io.stderr.write(`error: ${err.message}\n`);
      return EXIT.failed;
    }
    io.stderr.write(`${describeError(err)}\n`);
    return EXIT.failed;
  }
}
