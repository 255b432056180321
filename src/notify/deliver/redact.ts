// What may be said about a request in a message, a log line or a metric: its origin only. A Slack webhook's
// path and many APIs' query strings are credentials, and header values (tokens) are secrets too.

/** `https://hooks.slack.com/…`: scheme, host and port; "…" stands for a path or query left out. */
export function safeUrl(url: string | URL): string {
  let u: URL;
  try {
    u = typeof url === "string" ? new URL(url) : url;
  } catch {
    return "an invalid URL";
  }
  // Not http(s): the origin is "null" and the rest may be anything.
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return `a ${u.protocol.replace(/[^a-z0-9+.-]/gi, "")} URL`;
  return u.pathname === "/" && u.search === "" && u.hash === "" ? u.origin : `${u.origin}/…`;
}

// Header values this short are too common to replace in text ("1", "gzip"); none is a credential.
const MIN_SECRET = 4;
/** Headers whose values say nothing secret; every other header's value is scrubbed from text. */
const PLAIN = new Set(["accept", "content-type", "user-agent", "content-length"]);

/** The strings a request must never leak: header values, the URL's userinfo, path and query. */
export function secretsOf(url: string, headers: Record<string, string>): string[] {
  const out = Object.entries(headers)
    .filter(([k]) => !PLAIN.has(k.toLowerCase()))
    .map(([, v]) => v);
  out.push(url);
  try {
    const u = new URL(url);
    out.push(u.href, u.username, u.password, u.search, u.hash);
    if (u.pathname !== "/") out.push(u.pathname, decoded(u.pathname));
  } catch {
    // An invalid URL is never echoed whole; its text is already in the list.
  }
  return out.filter((s) => s.length >= MIN_SECRET);
}

/** The path as a server might echo it, decoded; as it is when it does not decode (a stray %). */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** `text` with every URL cut to its origin and every secret replaced by "…", at most `max` characters. */
export function scrub(text: string, secrets: readonly string[], max = 300): string {
  let out = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => safeUrl(m));
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("…");
  out = out.replace(/\s+/g, " ").trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}
