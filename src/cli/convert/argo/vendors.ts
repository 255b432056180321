// Argo Rollouts' vendor providers ramp runs with the same field names: only where the keys come from changes,
// since ramp reads a metric's Secrets in the run's namespace and never in its own, and what Graphite's result holds.
import type { Edit } from "../edit.ts";
import type { Path } from "../source.ts";

/** Datadog: Argo's default Secret (named datadog, in its own namespace) becomes an explicit secretRef. */
export function convertDatadog(edit: Edit, at: Path): void {
  const dd = [...at, "provider", "datadog"];
  if (!edit.has(dd)) return;
  const ref = [...dd, "secretRef"];
  const keys = "keys api-key and app-key; an address key becomes provider.datadog.address or site";
  if (!edit.has(ref)) {
    edit.set(ref, { name: "datadog" });
    edit.note(
      ref,
      `Argo reads the Secret datadog in its own namespace; ramp reads it in the run's namespace: copy it there (${keys})`,
    );
    return;
  }
  if (edit.has([...ref, "namespaced"])) {
    const namespaced = edit.value([...ref, "namespaced"]) === true;
    edit.note(
      [...ref, "namespaced"],
      namespaced
        ? "removed: ramp always reads the Secret in the run's namespace"
        : `removed: ramp reads this Secret in the run's namespace, not Argo's: copy it there (${keys})`,
    );
    edit.remove([...ref, "namespaced"]);
  } else
    edit.note(
      ref,
      `ramp reads this Secret in the run's namespace, not Argo's: copy it there if it is not (${keys})`,
    );
}

/** New Relic: Argo's profile names the Secret (newrelic by default); ramp names it in secretRef. */
export function convertNewRelic(edit: Edit, at: Path): void {
  const nrPath = [...at, "provider", "newRelic"];
  if (!edit.has(nrPath)) return;
  const profile = edit.value([...nrPath, "profile"]);
  const name = typeof profile === "string" && profile !== "" ? profile : "newrelic";
  const keys =
    "keys personal-api-key and account-id; a region key becomes provider.newRelic.region, base-url-nerdgraph its address";
  if (profile !== undefined) edit.remove([...nrPath, "profile"]);
  edit.set([...nrPath, "secretRef"], { name });
  edit.note(
    [...nrPath, "secretRef"],
    `the Secret ${name} (${profile === undefined ? "Argo's default" : "Argo's profile"}) is read in the run's ` +
      `namespace, not Argo's: copy it there (${keys})`,
  );
}

/** Graphite: address and query carry as they are; what result holds and the default window differ, noted. */
export function convertGraphite(edit: Edit, at: Path): void {
  const query = [...at, "provider", "graphite", "query"];
  if (!edit.has(query)) return;
  edit.note(
    query,
    "result is one number per series, its newest non-null point (result[0]: the first series'); Argo's is the " +
      "first series' non-null points, oldest first. Without from= ramp asks the last 5 minutes (Argo: " +
      "Graphite's 24 hours): check the conditions",
  );
}
