// Runs in a worker thread: evaluates CEL conditions so a costly one can be cut off without blocking the controller.
import { parentPort } from "node:worker_threads";
import { type CompiledCel, compileCel } from "../cel/index.ts";

type Request = { id: number; expression: string; value: unknown };
const compiled = new Map<string, CompiledCel>();

parentPort?.on("message", (req: Request) => {
  try {
    let program = compiled.get(req.expression);
    if (!program) {
      program = compileCel(req.expression, { result: "dyn" });
      if (compiled.size > 1000) compiled.clear();
      compiled.set(req.expression, program);
    }
    parentPort?.postMessage({ id: req.id, ok: true, result: program.evaluate({ result: req.value }) });
  } catch (err) {
    parentPort?.postMessage({
      id: req.id,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
    });
  }
});

// Loaded (TypeScript and the CEL library compiled): evaluations may be timed from now on.
parentPort?.postMessage({ ready: true });
