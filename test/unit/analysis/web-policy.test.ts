// Which addresses web analysis may call: entry formats, defaults, the controller's own endpoints, precedence.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ownEndpointRules,
  parseIp,
  parseRule,
  refusedBy,
  type WebPolicy,
  webPolicy,
} from "../../../src/analysis/providers/web-policy.ts";

/** "refused by <entry>" or "allowed", for compact tables. */
const judge = (policy: WebPolicy, host: string, address: string | undefined, port = 80) => {
  const rule = refusedBy(policy, host, address, port);
  return rule ? `refused by ${rule.entry}` : "allowed";
};

describe("parseRule", () => {
  const ok: [string, string][] = [
    ["10.0.0.0/8", "net 4 /8"],
    ["10.1.2.3/8", "net 4 /8"], // host bits are masked
    ["10.0.0.1", "net 4 /32"],
    ["10.0.0.0/8:9090", "net 4 /8 :9090"],
    ["fd00:ec2::254", "net 6 /128"],
    ["fe80::/10", "net 6 /10"],
    ["[fd00::/8]:443", "net 6 /8 :443"],
    ["[::1]:8080", "net 6 /128 :8080"],
    ["::ffff:169.254.169.254", "net 4 /32"],
    ["Metadata.Google.Internal.", "name metadata.google.internal"],
    ["*.example.com:443", "name *.example.com :443"],
    ["*", "name *"],
    ["*:8080", "name * :8080"],
  ];
  for (const [entry, want] of ok) {
    test(entry, () => {
      const r = parseRule(entry, "test");
      const what = r.net ? `net ${r.net.family} /${r.net.prefix}` : `name ${r.name}`;
      assert.equal(`${what}${r.port === undefined ? "" : ` :${r.port}`}`, want);
    });
  }
  for (const bad of [
    "10.0.0.0/33",
    "10.0.0.1:0",
    "10.0.0.1:70000",
    "a..b",
    "http://x",
    "*.*.x",
    "x/8",
    "[::1]:x",
  ]) {
    test(`rejects ${bad}, naming the flag and the formats`, () =>
      assert.throws(
        () => parseRule(bad, "--web-analysis-deny"),
        /--web-analysis-deny: ".*".*want an IP, a CIDR/,
      ));
  }
  test("IPv4-mapped IPv6 is the IPv4 address", () => {
    assert.deepEqual(parseIp("::ffff:a9fe:a9fe"), parseIp("169.254.169.254"));
    assert.deepEqual(parseIp("[::ffff:169.254.169.254]"), parseIp("169.254.169.254"));
    assert.equal(parseIp("metadata"), undefined);
  });
});

describe("defaults: cloud metadata", () => {
  const p = webPolicy({});
  const cases: [string, string | undefined, string][] = [
    ["169.254.169.254", "169.254.169.254", "refused by 169.254.0.0/16"],
    ["[::ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe", "refused by 169.254.0.0/16"],
    ["[fd00:ec2::254]", "fd00:ec2::254", "refused by fd00:ec2::254"],
    ["100.100.100.200", "100.100.100.200", "refused by 100.100.100.200"],
    ["metadata.google.internal", undefined, "refused by metadata.google.internal"],
    ["METADATA.google.internal.", "169.254.169.254", "refused by 169.254.0.0/16"],
    // A name that resolves to the metadata address (DNS rebinding, an ExternalName Service) is judged by it.
    ["innocent.example.com", "169.254.169.254", "refused by 169.254.0.0/16"],
    ["prometheus.monitoring.svc", "10.96.0.10", "allowed"],
    ["10.0.0.1", "10.0.0.1", "allowed"],
    ["127.0.0.1", "127.0.0.1", "allowed"],
  ];
  for (const [host, address, want] of cases)
    test(`${host} at ${address ?? "(unresolved)"}: ${want}`, () =>
      assert.equal(judge(p, host, address), want));
});

describe("the controller's own endpoints", () => {
  const local = ["192.0.2.2", "fd00::2"];
  const bound = webPolicy({
    own: [
      ...ownEndpointRules("127.0.0.1:8080", "metrics", local),
      ...ownEndpointRules("127.0.0.1:8081", "health", local),
    ],
  });
  const cases: [string, number, string][] = [
    ["127.0.0.1", 8080, "refused"],
    ["127.0.0.1", 8081, "refused"],
    ["127.0.0.2", 8080, "refused"], // all of 127/8 is this host
    ["0.0.0.0", 8080, "refused"], // connecting to 0.0.0.0 reaches loopback
    ["::1", 8080, "refused"],
    ["127.0.0.1", 9090, "allowed"], // another local service
    ["192.0.2.2", 8080, "allowed"], // bound to loopback only: the pod IP does not reach it
  ];
  for (const [address, port, want] of cases) {
    test(`bound to 127.0.0.1: ${address}:${port} ${want}`, () => {
      assert.equal(judge(bound, address, address, port).split(" ")[0], want);
    });
  }
  const wildcard = webPolicy({ own: ownEndpointRules(":8080", "metrics", local) });
  for (const address of ["192.0.2.2", "fd00::2", "127.0.0.1", "0.0.0.0", "::"]) {
    test(`bound to all interfaces: every local address on the port is refused (${address})`, () => {
      assert.equal(refusedBy(wildcard, address, address, 8080)?.locked, true);
      assert.equal(judge(wildcard, address, address, 8081), "allowed");
    });
  }
  test("0.0.0.0 or :: as the bind address mean all interfaces too", () => {
    for (const addr of ["0.0.0.0:8080", "[::]:8080", "localhost:8080"]) {
      const p = webPolicy({ own: ownEndpointRules(addr, "metrics", local) });
      assert.ok(refusedBy(p, "192.0.2.2", "192.0.2.2", 8080), addr);
    }
  });
  test("no allow entry lifts them, however specific; the message source names the flag's address", () => {
    const p = webPolicy({
      allow: ["127.0.0.1:8080", "127.0.0.0/8", "*", "0.0.0.0/0"],
      own: ownEndpointRules("127.0.0.1:8080", "metrics", local),
    });
    const rule = refusedBy(p, "localhost", "127.0.0.1", 8080);
    assert.equal(rule?.locked, true);
    assert.equal(rule?.source, "the controller's own metrics endpoint (127.0.0.1:8080)");
  });
});

describe("operator entries", () => {
  test("an explicit deny of a CIDR", () => {
    const p = webPolicy({ deny: ["10.1.0.0/16"] });
    assert.equal(judge(p, "10.1.2.3", "10.1.2.3"), "refused by 10.1.0.0/16");
    assert.equal(judge(p, "a.example", "10.1.2.3"), "refused by 10.1.0.0/16");
    assert.equal(judge(p, "10.2.0.1", "10.2.0.1"), "allowed");
  });
  test("a deny with a port refuses only that port", () => {
    const p = webPolicy({ deny: ["10.0.0.0/8:9090", "[fd00::/8]:443"] });
    assert.equal(judge(p, "10.1.1.1", "10.1.1.1", 9090), "refused by 10.0.0.0/8:9090");
    assert.equal(judge(p, "10.1.1.1", "10.1.1.1", 80), "allowed");
    assert.equal(judge(p, "x", "fd00::5", 443), "refused by [fd00::/8]:443");
  });
  test("a more specific allow lifts a default deny; a tie goes to deny", () => {
    const p = webPolicy({ allow: ["169.254.170.2"] });
    assert.equal(judge(p, "169.254.170.2", "169.254.170.2"), "allowed");
    assert.equal(judge(p, "169.254.169.254", "169.254.169.254"), "refused by 169.254.0.0/16");
    assert.equal(
      judge(webPolicy({ allow: ["0.0.0.0/0"] }), "x", "169.254.169.254"),
      "refused by 169.254.0.0/16",
    );
    const tie = webPolicy({ allow: ["10.0.0.0/8"], deny: ["10.0.0.0/8"] });
    assert.equal(judge(tie, "x", "10.0.0.1"), "refused by 10.0.0.0/8");
  });
  test("allow-list by name: deny *, allow *.svc.cluster.local", () => {
    const p = webPolicy({ deny: ["*"], allow: ["*.svc.cluster.local"] });
    assert.equal(judge(p, "prom.monitoring.svc.cluster.local", "10.96.0.10"), "allowed");
    assert.equal(judge(p, "evil.example.com", "203.0.113.9"), "refused by *");
    assert.equal(judge(p, "10.96.0.10", "10.96.0.10"), "refused by *", "an IP literal is not a name");
    // An allowed name never lifts an address deny: an ExternalName to the metadata service stays refused.
    assert.equal(judge(p, "meta.ns.svc.cluster.local", "169.254.169.254"), "refused by 169.254.0.0/16");
  });
  test("allow-list by address: deny *, allow 10.0.0.0/8 (an address allow lifts a name deny)", () => {
    const p = webPolicy({ deny: ["*"], allow: ["10.0.0.0/8"] });
    assert.equal(judge(p, "prom.monitoring.svc", "10.96.0.10"), "allowed");
    assert.equal(judge(p, "10.1.2.3", "10.1.2.3"), "allowed");
    assert.equal(judge(p, "evil.example.com", "203.0.113.9"), "refused by *");
    assert.equal(judge(p, "evil.example.com", undefined), "refused by *");
  });
  test("allow-list by address: deny 0.0.0.0/0 and ::/0, allow one network", () => {
    const p = webPolicy({ deny: ["0.0.0.0/0,::/0"], allow: ["10.0.0.0/8"] });
    assert.equal(judge(p, "a", "10.0.0.1"), "allowed");
    assert.equal(judge(p, "a", "192.168.0.1"), "refused by 0.0.0.0/0");
    assert.equal(judge(p, "a", "2001:db8::1"), "refused by ::/0");
  });
  test("entries may be comma- or space-separated, across several flags", () => {
    const p = webPolicy({ deny: ["10.0.0.1, 10.0.0.2", "10.0.0.3 10.0.0.4"] });
    for (const a of ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]) assert.ok(refusedBy(p, a, a, 80), a);
  });
});
