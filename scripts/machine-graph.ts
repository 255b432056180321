// Prints the rollout state machines as Mermaid diagrams (paste into any Mermaid renderer or GitHub).
import { blueGreenMachine } from "../src/machine/bluegreen.ts";
import { canaryMachine } from "../src/machine/canary.ts";
import { toMermaid } from "../src/machine/graph.ts";

const machines = { canary: canaryMachine, bluegreen: blueGreenMachine };
const only = process.argv[2];
for (const [name, machine] of Object.entries(machines)) {
  if (only && only !== name) continue;
  process.stdout.write(`%% ${name} (${machine.id})\n${toMermaid(machine)}\n`);
}
