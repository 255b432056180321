// Draws a state machine as a Mermaid state diagram, read from the machine definition itself.
import type { AnyStateMachine } from "xstate";

type Transition = {
  target?: readonly { key: string }[] | undefined;
  guard?: unknown;
  actions: readonly unknown[];
};

const guardName = (g: unknown): string | undefined =>
  typeof g === "string" ? g : g && typeof g === "object" && "type" in g ? String(g.type) : undefined;

/** `stateDiagram-v2` text: one line per transition, labelled `EVENT [guard]`; self-loops only when they act. */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ["stateDiagram-v2", `  [*] --> ${String(machine.config.initial)}`];
  for (const [name, node] of Object.entries(machine.root.states)) {
    const inherited = [...machine.root.transitions.entries()];
    for (const [event, transitions] of [...node.transitions.entries(), ...inherited]) {
      if (event.startsWith("xstate.")) continue;
      for (const t of transitions as Transition[]) {
        const target = t.target?.[0]?.key ?? name;
        if (target === name && t.actions.length === 0) continue;
        const guard = guardName(t.guard);
        lines.push(`  ${name} --> ${target}: ${event}${guard ? ` [${guard}]` : ""}`);
      }
    }
  }
  return `${[...new Set(lines)].join("\n")}\n`;
}
