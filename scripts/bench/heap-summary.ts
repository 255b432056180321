// npm run bench:heap -- FILE.heapsnapshot: where a heap snapshot's bytes are, without DevTools: self size by
// kind (code, strings, closures, objects by constructor) and the objects that retain the most (dominator
// tree), as docs/performance.md's "Where the memory goes" quotes them.
import { readFileSync } from "node:fs";

type Snapshot = {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
};

export type Graph = {
  count: number;
  type: (i: number) => string;
  name: (i: number) => string;
  self: Float64Array;
  /** Children (strong edges only: weak edges retain nothing) as CSR. */
  firstEdge: Uint32Array;
  targets: Uint32Array;
};

export function loadGraph(file: string): Graph {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const n = nf.length;
  const count = s.nodes.length / n;
  const [iType, iName, iSize, iEdges] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f));
  const [eType, eTo] = ["type", "to_node"].map((f) => ef.indexOf(f));
  const weak = edgeTypes.indexOf("weak");
  const self = new Float64Array(count);
  const firstEdge = new Uint32Array(count + 1);
  const targets: number[] = [];
  let e = 0;
  for (let i = 0; i < count; i++) {
    self[i] = s.nodes[i * n + (iSize as number)] ?? 0;
    firstEdge[i] = targets.length;
    const edges = s.nodes[i * n + (iEdges as number)] ?? 0;
    for (let k = 0; k < edges; k++, e += ef.length) {
      if (s.edges[e + (eType as number)] === weak) continue;
      targets.push((s.edges[e + (eTo as number)] ?? 0) / n);
    }
  }
  firstEdge[count] = targets.length;
  return {
    count,
    type: (i) => nodeTypes[s.nodes[i * n + (iType as number)] ?? 0] ?? "?",
    name: (i) => s.strings[s.nodes[i * n + (iName as number)] ?? 0] ?? "?",
    self,
    firstEdge,
    targets: Uint32Array.from(targets),
  };
}

/** Immediate dominators from node 0 (the synthetic root), Cooper-Harvey-Kennedy over a reverse postorder. */
export function dominators(g: Graph): { idom: Int32Array; retained: Float64Array } {
  const order: number[] = [];
  const rpo = new Int32Array(g.count).fill(-1);
  const visited = new Uint8Array(g.count);
  const stack: [number, number][] = [[0, g.firstEdge[0] ?? 0]];
  visited[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [number, number];
    const [v, next] = top;
    if (next < (g.firstEdge[v + 1] ?? 0)) {
      top[1] = next + 1;
      const w = g.targets[next] as number;
      if (!visited[w]) {
        visited[w] = 1;
        stack.push([w, g.firstEdge[w] ?? 0]);
      }
    } else {
      stack.pop();
      order.push(v);
    }
  }
  order.reverse();
  order.forEach((v, i) => {
    rpo[v] = i;
  });
  const preds: number[][] = Array.from({ length: g.count }, () => []);
  for (const v of order)
    for (let k = g.firstEdge[v] ?? 0; k < (g.firstEdge[v + 1] ?? 0); k++)
      preds[g.targets[k] as number]?.push(v);
  const idom = new Int32Array(g.count).fill(-1);
  idom[0] = 0;
  const intersect = (from: number, to: number) => {
    let a = from;
    let b = to;
    while (a !== b) {
      while ((rpo[a] as number) > (rpo[b] as number)) a = idom[a] as number;
      while ((rpo[b] as number) > (rpo[a] as number)) b = idom[b] as number;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of order) {
      if (v === 0) continue;
      let d = -1;
      for (const p of preds[v] ?? []) if ((idom[p] as number) >= 0) d = d < 0 ? p : intersect(p, d);
      if (d >= 0 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = Float64Array.from(g.self);
  for (let i = order.length - 1; i > 0; i--) {
    const v = order[i] as number;
    const d = idom[v] as number;
    if (d >= 0 && d !== v) retained[d] = (retained[d] ?? 0) + (retained[v] ?? 0);
  }
  return { idom, retained };
}

/** The kind a node's self size is counted under: code, strings, closures, or objects by constructor. */
export function kindOf(g: Graph, i: number): string {
  const t = g.type(i);
  if (t === "object") return `object ${g.name(i).slice(0, 40)}`;
  if (t === "closure") return "closures";
  if (t === "string" || t === "concatenated string" || t === "sliced string") return "strings";
  if (t === "code")
    return `code ${g
      .name(i)
      .replace(/^system \/ /, "")
      .slice(0, 30)}`;
  return `${t} ${t === "array" || t === "hidden" ? g.name(i).slice(0, 30) : ""}`.trim();
}

const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

function main(file: string, top = 25): void {
  const g = loadGraph(file);
  const total = g.self.reduce((a, b) => a + b, 0);
  const byKind = new Map<string, number>();
  for (let i = 0; i < g.count; i++)
    byKind.set(kindOf(g, i), (byKind.get(kindOf(g, i)) ?? 0) + (g.self[i] ?? 0));
  process.stdout.write(
    `${file}: ${g.count} nodes, ${(total / 1048576).toFixed(1)} MiB\n\nself size by kind:\n`,
  );
  for (const [k, v] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`  ${kib(v).padStart(10)}  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`);
  const { retained } = dominators(g);
  const biggest = [...retained.keys()]
    .filter((i) => i !== 0 && g.type(i) !== "synthetic")
    .sort((a, b) => (retained[b] ?? 0) - (retained[a] ?? 0))
    .slice(0, top);
  process.stdout.write("\nretained size (what would go with it), biggest:\n");
  for (const i of biggest)
    process.stdout.write(`  ${kib(retained[i] ?? 0).padStart(10)}  ${g.type(i)} ${g.name(i).slice(0, 70)}\n`);
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: npm run bench:heap -- FILE.heapsnapshot [TOP]");
  main(file, top ? Number(top) : 25);
}
