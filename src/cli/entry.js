// kubectl-ramp's entry point (bin/kubectl-ramp runs it): JavaScript, so that Node's compile cache is on
// before any TypeScript is read. Every module, src/cli/main.ts included, is then stripped and compiled
// once and read from the cache afterwards (the system's temporary directory, kept between runs); from a
// .ts entry Node would load its TypeScript stripper on every run, about 40 ms of CPU.
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./main.ts");
