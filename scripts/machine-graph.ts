// Prints the rollout state machines as Mermaid diagrams (paste into any Mermaid renderer or GitHub).
import { blueGreenMachine } from "../src/strategy/bluegreen/machine.ts";
import { canaryMachine } from "../src/strategy/canary/machine.ts";
import { toMermaid } from "../src/strategy/graph.ts";

const machines = { canary: canaryMachine, bluegreen: blueGreenMachine };
const only = process.argv[2];
for (const [name, machine] of Object.entries(machines)) {
  if (only && only !== name) continue;
  process.stdout.write(`%% ${name} (${machine.id})\n${toMermaid(machine)}\n`);
}
