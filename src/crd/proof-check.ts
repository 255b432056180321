// The check behind `npm run docs:check` for src/crd/field-proofs.ts: every field of the reference has an
// entry, every entry is a field, and every test it names exists and contains the text it quotes.
import { CONTAINER, type Proof, type Proofs } from "./field-proofs.ts";

/** A field as the reference lists it: "Kind path", and whether fields are listed under it. */
export type Field = { key: string; parent: boolean };

export type ProofCheck = {
  /** One line per offending entry, saying what to do. */
  problems: string[];
};

const MAP = "src/crd/field-proofs.ts";
const TEST_FILE = /^test\/.+\.test\.ts$/;

/** What is wrong with one test reference ("file" or "file#text"), or undefined. */
function badReference(
  key: string,
  ref: string,
  read: (file: string) => string | undefined,
): string | undefined {
  const at = ref.indexOf("#");
  const file = at < 0 ? ref : ref.slice(0, at);
  const text = at < 0 ? undefined : ref.slice(at + 1);
  if (!TEST_FILE.test(file))
    return `${key}: names ${file}, which is not a test file (test/**/*.test.ts): name the test that proves it`;
  const source = read(file);
  if (source === undefined) return `${key}: names ${file}, which does not exist: correct the path`;
  if (text !== undefined && (text === "" || !source.includes(text)))
    return `${key}: "#${text}" does not occur in ${file}: quote the name of the test that proves it`;
  return undefined;
}

function problemsOf(field: Field, proof: Proof, read: (file: string) => string | undefined): string[] {
  if (proof === CONTAINER)
    return field.parent
      ? []
      : [`${field.key}: ${CONTAINER}, but no field is listed under it: name the test that proves it`];
  if (proof.length === 0) return [`${field.key}: names no test: name the test that fails if ramp ignored it`];
  return proof.flatMap((ref) => badReference(field.key, ref, read) ?? []);
}

/** `read(file)` gives a repo-relative file's text, or undefined when there is no such file. */
export function checkProofs(
  fields: readonly Field[],
  proofs: Proofs,
  read: (file: string) => string | undefined,
): ProofCheck {
  const problems: string[] = [];
  const known = new Set(fields.map((f) => f.key));
  for (const field of fields) {
    const proof = proofs[field.key];
    if (proof === undefined) {
      problems.push(
        `${field.key}: no entry in ${MAP}: name the test that fails if ramp ignored the field ` +
          "(test/integration/ first); a field no test proves is not ready to ship",
      );
      continue;
    }
    problems.push(...problemsOf(field, proof, read));
  }
  for (const key of Object.keys(proofs))
    if (!known.has(key))
      problems.push(
        `${key}: no such field in the schemas (renamed or removed?): move the entry to its new path, or delete it`,
      );
  return { problems };
}

/** What `npm run docs:check` prints: each problem; none means every field names the test that proves it. */
export function proofReport(check: ProofCheck): { ok: boolean; errors: string[] } {
  const errors =
    check.problems.length === 0
      ? []
      : [
          `${MAP} does not match the schemas and tests (${check.problems.length}):`,
          ...check.problems.map((p) => `  ${p}`),
        ];
  return { ok: errors.length === 0, errors };
}

/** The reference's "proven by" cell for one entry. */
export function proofCell(proof: Proof | undefined): string {
  if (proof === undefined) return "—";
  if (proof === CONTAINER) return "through its fields";
  return proof.map((ref) => `\`${ref}\``).join(", ");
}
