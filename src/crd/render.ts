// Renders the CRDs as the YAML files kept in crds/ (and copied into the Helm chart).
import { stringify } from "yaml";
import { CRDS, toCrd } from "./definitions.ts";

const HEADER = "# Generated from src/api by `npm run gen:crds`. Do not edit by hand.\n";

/** File name → YAML text for every CRD. */
export function renderCrds(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of CRDS) {
    const crd = toCrd(def);
    const name = `${def.plural}.ramp.dev.yaml`;
    files.set(name, HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }));
  }
  return files;
}
