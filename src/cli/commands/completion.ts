// kubectl ramp completion bash|zsh|fish|powershell, and the `__complete` protocol behind it (Cobra's, which kubectl
// also speaks to a `kubectl_complete-ramp` executable, so `kubectl ramp <TAB>` completes too).
import { type Command, NAME_KINDS, type NameKind, type Option } from "../command.ts";
import type { CliContext } from "../context.ts";
import { EXIT, UsageError } from "../context.ts";
import { GLOBAL_OPTIONS } from "../globals.ts";
import { COMMANDS } from "../registry.ts";

const SHELLS = ["bash", "zsh", "fish", "powershell"];

const SCRIPTS: Record<string, string> = {
  bash: `# bash completion for kubectl-ramp: source <(kubectl-ramp completion bash)
_kubectl_ramp() {
  local IFS=$'\\n'
  COMPREPLY=($(kubectl-ramp __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null | grep -v '^:'))
}
complete -o default -F _kubectl_ramp kubectl-ramp
`,
  zsh: `#compdef kubectl-ramp
# zsh completion for kubectl-ramp: source <(kubectl-ramp completion zsh)
_kubectl_ramp() {
  local -a words_out
  words_out=(\${(f)"$(kubectl-ramp __complete \${words[2,CURRENT]} 2>/dev/null | grep -v '^:')"})
  compadd -- $words_out
}
compdef _kubectl_ramp kubectl-ramp
`,
  fish: `# fish completion for kubectl-ramp: kubectl-ramp completion fish | source
complete -c kubectl-ramp -f -a '(kubectl-ramp __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null | string match -v ":*")'
`,
  powershell: `# powershell completion for kubectl-ramp: kubectl-ramp completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'kubectl-ramp' -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  # The words typed before the cursor, without the command itself; the one being typed goes last, even empty.
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 |
    Where-Object { $_.Extent.EndOffset -le $cursorPosition } | ForEach-Object { $_.ToString() })
  if ($wordToComplete -eq '') { $words += '' }
  # Standard passing hands an empty word to the program as "" (the default in PowerShell 7.3 and later).
  $PSNativeCommandArgumentPassing = 'Standard'
  & kubectl-ramp __complete @words 2>$null | Where-Object { $_ -notlike ':*' } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`,
};

export const completion: Command = {
  words: ["completion"],
  usage: "kubectl ramp completion bash|zsh|fish|powershell",
  summary: "Print a shell completion script for kubectl-ramp",
  details:
    "`kubectl ramp <TAB>` completes through kubectl itself when the `kubectl_complete-ramp` executable\n" +
    "(installed with the plugin) is on PATH; these scripts complete `kubectl-ramp` typed directly.",
  examples: [
    ["bash, for this shell", "source <(kubectl ramp completion bash)"],
    ["fish", "kubectl ramp completion fish | source"],
    ["PowerShell", "kubectl ramp completion powershell | Out-String | Invoke-Expression"],
  ],
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const shell = ctx.positionals[0] ?? "";
    const script = SCRIPTS[shell];
    if (!script) throw new UsageError(`completion: "${shell}" is not one of ${SHELLS.join(", ")}`);
    ctx.io.stdout.write(script);
    return EXIT.ok;
  },
};

/** What completion looks up: names of objects in the namespace, namespaces, kubeconfig entries. */
export type Lookups = {
  names(kind: NameKind): Promise<string[]>;
  namespaces(): Promise<string[]>;
  kubeconfig(kind: "contexts" | "clusters" | "users"): string[];
};

/** The option a flag word names (`-n`, `--namespace`), among every command's and the global ones. */
const optionOf = (flag: string): [string, Option] | undefined => {
  const name = flag.replace(/^-+/, "");
  return Object.entries(ALL_OPTIONS).find(([k, o]) =>
    flag.startsWith("--") ? k === name : o.short === name,
  );
};

/** Candidates for a flag's value: namespaces, contexts, clusters, users, output formats; else none. */
async function flagValues(flag: string, command: Command | undefined, lookups: Lookups): Promise<string[]> {
  const name = optionOf(flag)?.[0];
  if (name === "namespace") return lookups.namespaces().catch(() => []);
  if (name === "context") return lookups.kubeconfig("contexts");
  if (name === "cluster") return lookups.kubeconfig("clusters");
  if (name === "user") return lookups.kubeconfig("users");
  if (name === "output") return command?.outputs ?? [];
  return [];
}

/** Candidates for the last word of `words` (Cobra's __complete: one per line, then `:directive`). */
export async function candidates(words: string[], lookups: Lookups): Promise<string[]> {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  const all = [...COMMANDS, completion];
  const positional = before.filter((w, i) => !w.startsWith("-") && !isFlagValue(before, i));
  const command = all.find(
    (c) =>
      c.words.every((w, i) => positional[i] === w) ||
      (c.aliases ?? []).some((a) => a.every((w, i) => positional[i] === w)),
  );
  const starts = (xs: string[], prefix = current) => xs.filter((x) => x.startsWith(prefix));
  // A flag's value: after the flag (-n <TAB>), or after "=" in the same word (--namespace=sh<TAB>).
  const joined = /^(-[^-=]|--[^=]+)=(.*)$/s.exec(current);
  if (joined?.[1] && optionOf(joined[1])?.[1].type === "string")
    return starts(await flagValues(joined[1], command, lookups), joined[2]).map((v) => `${joined[1]}=${v}`);
  if (isFlagValue(words, words.length - 1))
    return starts(await flagValues(before.at(-1) ?? "", command, lookups));
  if (current.startsWith("-")) {
    const options = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) };
    return starts(Object.keys(options).map((k) => `--${k}`));
  }
  if (!command) {
    const depth = positional.length;
    return starts(
      [
        ...new Set(
          all
            .filter((c) => c.words.slice(0, depth).every((w, i) => positional[i] === w))
            .map((c) => c.words[depth] ?? ""),
        ),
      ].filter(Boolean),
    );
  }
  const args = positional.slice(command.words.length);
  if (command === completion) return args.length === 0 ? starts(SHELLS) : [];
  // NAME is every command's first argument; what follows it (CONTAINER=IMAGE) is not completed.
  if (command.args.max === 0 || args.length > 0) return [];
  return starts(await lookups.names(command.names ?? "rollout").catch(() => []));
}

const ALL_OPTIONS: Record<string, Option> = Object.assign(
  {},
  GLOBAL_OPTIONS,
  ...COMMANDS.map((c) => c.options),
);

/** Whether words[i] is the value of the flag before it (`-n shop`), not a positional. */
function isFlagValue(words: string[], i: number): boolean {
  const prev = words[i - 1];
  if (!prev?.startsWith("-") || prev.includes("=")) return false;
  return optionOf(prev)?.[1].type === "string";
}

/** Whether the last word is the value of a flag that takes a file (`plan -f <TAB>`, `lint --filename <TAB>`). */
export function completesFile(words: string[]): boolean {
  const prev = words.at(-2) ?? "";
  if (!prev.startsWith("-") || prev.includes("=")) return false;
  return optionOf(prev)?.[1].value === "FILE";
}

/**
 * The hidden `__complete` command: prints candidates and Cobra's directive: 0 (the shell completes file
 * names) for a file flag's value, else 4 (no file completion).
 */
export async function complete(ctx: CliContext, words: string[]): Promise<number> {
  if (completesFile(words)) {
    ctx.out(":0");
    return EXIT.ok;
  }
  const lookups: Lookups = {
    async names(kind) {
      const { group, version, plural } = NAME_KINDS[kind];
      const list = await ctx
        .api()
        .request<{ items?: { metadata?: { name?: string } }[] }>(
          "GET",
          `/apis/${group}/${version}/namespaces/${ctx.namespace()}/${plural}`,
        );
      return (list.items ?? []).map((r) => r.metadata?.name ?? "").filter(Boolean);
    },
    async namespaces() {
      const list = await ctx
        .api()
        .request<{ items?: { metadata?: { name?: string } }[] }>("GET", "/api/v1/namespaces");
      return (list.items ?? []).map((n) => n.metadata?.name ?? "").filter(Boolean);
    },
    kubeconfig: (kind) => ctx.kubeconfigNames(kind),
  };
  for (const c of await candidates(words, lookups)) ctx.out(c);
  ctx.out(":4");
  return EXIT.ok;
}
