// What a field's entry in the proof map may say, and helpers to key shared sub-schemas by where they sit.

/** An object whose only meaning is its fields: allowed only where the reference lists fields under it. */
export const CONTAINER = "CONTAINER";

/** Repo-relative test files, each optionally `#text` that must occur in it (a test's name, say). */
export type Proof = readonly string[] | typeof CONTAINER;
export type Proofs = Readonly<Record<string, Proof>>;

/** `prefix` + `key`; the key "" is the field at the prefix itself ("spec.metrics[]." → "spec.metrics"). */
const join = (prefix: string, key: string) => (key === "" ? prefix.replace(/(\[\])?\.$/, "") : prefix + key);

/** Puts `prefix` before every key. */
export function under(prefix: string, proofs: Proofs): Record<string, Proof> {
  const out: Record<string, Proof> = {};
  for (const [key, proof] of Object.entries(proofs)) out[join(prefix, key)] = proof;
  return out;
}

/**
 * A sub-schema used in several places, handed whole to one piece of code: each proven field is proven at
 * `prefix` by `reach` (a test that the object at `prefix` gets there) plus the field's own tests.
 */
export function reused(prefix: string, reach: readonly string[], proofs: Proofs): Record<string, Proof> {
  const out: Record<string, Proof> = {};
  for (const [key, proof] of Object.entries(proofs))
    out[join(prefix, key)] = typeof proof === "string" ? proof : [...new Set([...reach, ...proof])];
  return out;
}

/** Puts `kind` and a space before every key, the form the check and the reference use. */
export const ofKind = (kind: string, proofs: Proofs): Record<string, Proof> =>
  Object.fromEntries(Object.entries(proofs).map(([path, proof]) => [`${kind} ${path}`, proof]));
