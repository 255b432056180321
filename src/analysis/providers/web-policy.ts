// Which addresses analysis may call (web URLs, Prometheus addresses): allow/deny entries (CIDRs, IPs, host
// names, optional :port) judged against the URL's host and every address it resolves to. See docs/analysis.md.
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { parseListenAddress } from "../../observability/http.ts";

type Net = { family: 4 | 6; bits: bigint; prefix: number };

export type WebRule = {
  /** The entry as written, for messages. */
  entry: string;
  /** Where it comes from, for messages: "default", "--web-analysis-deny", … */
  source: string;
  /** Lowercase host pattern: "a.example", "*.example" (any subdomain) or "*" (any host). */
  name?: string | undefined;
  net?: Net | undefined;
  port?: number | undefined;
  /** Cannot be lifted by any allow entry (the controller's own endpoints). */
  locked?: boolean | undefined;
};

export type WebPolicy = { allow: WebRule[]; deny: WebRule[] };

// Cloud metadata services answer anyone on the node (AWS, GCP, Azure, OCI, DigitalOcean on 169.254.169.254,
// AWS IPv6 on fd00:ec2::254, Alibaba on 100.100.100.200): analysis must not become a way to read them.
export const DEFAULT_DENY = [
  "169.254.0.0/16",
  "fe80::/10",
  "fd00:ec2::254",
  "100.100.100.200",
  "metadata.google.internal",
];

const NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** An IP address as family and bits; IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as the IPv4 address. */
export function parseIp(text: string): { family: 4 | 6; bits: bigint } | undefined {
  const ip = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(ip);
  if (family === 4) return { family, bits: v4(ip) };
  if (family !== 6) return undefined;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes its two hex groups.
  const hex = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((g) => g.toString(16)).join(":"),
  );
  const [left = "", right] = hex.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => BigInt(`0x${g}`)));
  const l = groups(left);
  const r = groups(right ?? "");
  const all = right === undefined ? l : [...l, ...Array<bigint>(8 - l.length - r.length).fill(0n), ...r];
  const bits = all.reduce((acc: bigint, g: bigint) => (acc << 16n) | g, 0n);
  if (bits >> 32n === 0xffffn) return { family: 4, bits: bits & 0xffffffffn };
  return { family: 6, bits };
}

const v4 = (ip: string) => ip.split(".").reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);

/** Parses one entry: `10.0.0.0/8`, `10.0.0.1:8080`, `[fd00::/8]:443`, `fd00::1`, `*.example.com:443`, `*`. */
export function parseRule(raw: string, source: string): WebRule {
  const text = raw.trim().toLowerCase();
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) [, host = "", portText] = bracketed;
  else if (text.split(":").length === 2) [host = "", portText] = text.split(":");
  const bad = (why: string) =>
    new Error(
      `${source}: "${raw}" ${why}; want an IP, a CIDR (10.0.0.0/8, [fd00::/8]), a host name (metadata.internal, *.example.com) or *, each optionally with :port`,
    );
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw bad("has an invalid port");
  const rule = { entry: raw.trim(), source, ...(port === undefined ? {} : { port }) };
  if (host === "*") return { ...rule, name: "*" };
  const [addr = "", len] = host.split("/");
  const ip = parseIp(addr);
  if (ip) {
    const max = ip.family === 4 ? 32 : 128;
    // An IPv4-mapped CIDR keeps its meaning in IPv4 terms.
    const prefix = len === undefined ? max : Number(len) - (isIP(addr) === 6 && ip.family === 4 ? 96 : 0);
    if (!/^\d*$/.test(len ?? "") || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw bad("has an invalid prefix length");
    return { ...rule, net: { family: ip.family, bits: mask(ip.bits, prefix, max), prefix } };
  }
  if (len !== undefined || !NAME.test(host.replace(/\.$/, ""))) throw bad("is not understood");
  return { ...rule, name: host.replace(/\.$/, "") };
}

const mask = (bits: bigint, prefix: number, max: number) =>
  prefix === 0 ? 0n : (bits >> BigInt(max - prefix)) << BigInt(max - prefix);

/** Entries from flags or environment: comma- or space-separated, several flags add up. */
export function parseRules(values: readonly string[], source: string): WebRule[] {
  return values.flatMap((v) => v.split(/[\s,]+/).filter((e) => e !== "")).map((e) => parseRule(e, source));
}

/**
 * Locked deny rules for the controller's own endpoints: on its port, every loopback and unspecified
 * address and the bound one; bound to all interfaces (or a name), every local address too.
 */
export function ownEndpointRules(addr: string, what: string, localAddresses: readonly string[]): WebRule[] {
  const { host, port } = parseListenAddress(addr);
  const bound = host === undefined ? undefined : parseIp(host);
  const wildcard = bound === undefined || bound.bits === 0n;
  const hosts = ["127.0.0.0/8", "::1", "0.0.0.0", "::", ...(host && bound ? [host] : [])];
  if (wildcard) hosts.push(...localAddresses);
  const source = `the controller's own ${what} endpoint (${addr})`;
  return hosts.map((h) => ({ ...parseRule(h, source), port, locked: true }));
}

const labels = (name: string) => name.split(".").length;
/** Higher is more specific: the most specific matching entry decides, a tie goes to deny. */
function rank(r: WebRule): number {
  const base = r.net ? r.net.prefix : r.name === "*" ? 0 : r.name?.startsWith("*.") ? 200 : 400;
  return (base + (r.name && r.name !== "*" ? labels(r.name) : 0)) * 2 + (r.port === undefined ? 0 : 1);
}

function nameMatches(r: WebRule, host: string, literal: boolean): boolean {
  if (r.name === undefined) return false;
  if (r.name === "*") return true;
  if (literal) return false;
  return r.name.startsWith("*.") ? host.endsWith(r.name.slice(1)) : host === r.name;
}

const netMatches = (r: WebRule, ip: { family: 4 | 6; bits: bigint }) =>
  r.net !== undefined &&
  r.net.family === ip.family &&
  mask(ip.bits, r.net.prefix, ip.family === 4 ? 32 : 128) === r.net.bits;

const best = (rules: WebRule[]) =>
  rules.reduce<WebRule | undefined>((a, r) => (a === undefined || rank(r) > rank(a) ? r : a), undefined);

/** allow beats deny only when strictly more specific; a locked deny is never lifted. */
function verdict(deny: WebRule[], allow: WebRule[]): { deny?: WebRule; allow?: WebRule } {
  const locked = deny.find((r) => r.locked);
  if (locked) return { deny: locked };
  const d = best(deny);
  const a = best(allow);
  if (d && (!a || rank(d) >= rank(a))) return { deny: d };
  return a ? { allow: a } : {};
}

/**
 * The deny rule that refuses `host` (as in the URL) reached at `address`:`port`, or undefined when allowed.
 * Address rules judge the address; host-name rules judge the name. An address allow lifts a name deny
 * (deny `*`, allow `10.0.0.0/8`), but a name allow never lifts an address deny, so no DNS answer can lead
 * an allowed name to a denied address. `address` undefined judges the name alone (it did not resolve).
 */
export function refusedBy(
  policy: WebPolicy,
  host: string,
  address: string | undefined,
  port: number,
): WebRule | undefined {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  const literal = parseIp(h) !== undefined;
  const ip = address === undefined ? undefined : parseIp(address);
  const applies = (r: WebRule) => r.port === undefined || r.port === port;
  const byAddr = (rules: WebRule[]) =>
    rules.filter((r) => applies(r) && ip !== undefined && netMatches(r, ip));
  const byName = (rules: WebRule[]) => rules.filter((r) => applies(r) && nameMatches(r, h, literal));
  const addr = verdict(byAddr(policy.deny), byAddr(policy.allow));
  if (addr.deny) return addr.deny;
  const name = verdict(byName(policy.deny), byName(policy.allow));
  return name.deny && !addr.allow ? name.deny : undefined;
}

/** The policy: built-in defaults and the operator's deny entries, the operator's allow entries, own endpoints. */
export function webPolicy(opts: {
  allow?: readonly string[];
  deny?: readonly string[];
  own?: WebRule[];
}): WebPolicy {
  return {
    allow: parseRules(opts.allow ?? [], "--web-analysis-allow"),
    deny: [
      ...(opts.own ?? []),
      ...DEFAULT_DENY.map((e) => parseRule(e, "default")),
      ...parseRules(opts.deny ?? [], "--web-analysis-deny"),
    ],
  };
}

/** The controller's policy: its flags, and its own metrics and health endpoints on every local address. */
export function controllerWebPolicy(o: {
  webAnalysisAllow: readonly string[];
  webAnalysisDeny: readonly string[];
  metricsAddr: string;
  healthAddr: string;
}): WebPolicy {
  const local = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return webPolicy({
    allow: o.webAnalysisAllow,
    deny: o.webAnalysisDeny,
    own: [
      ...ownEndpointRules(o.metricsAddr, "metrics", local),
      ...ownEndpointRules(o.healthAddr, "health", local),
    ],
  });
}
