// Reading JSON of unknown shape (a raw object from the API, a status, a patch) without trusting it.

/** A plain JSON object: not null, not an array. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
