// kubectl's flag spellings the plugin takes: short flags with "=", booleans with "=false".
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GLOBAL_OPTIONS } from "../../../src/cli/globals.ts";
import { ALL, normalizeArgs, parse } from "../../../src/cli/run.ts";
import { ramp } from "./io.ts";

const options = Object.assign({}, GLOBAL_OPTIONS, ...ALL.map((c) => c.options));

describe("short flags with =", () => {
  const table: [string[], string[]][] = [
    [["-n=shop"], ["-n", "shop"]],
    [["-o=json"], ["-o", "json"]],
    [["-o=jsonpath={.a=b}"], ["-o", "jsonpath={.a=b}"]],
    [["-n="], ["-n", ""]],
    [["-w=false"], ["--no-watch"]],
    [["-w=true"], ["--watch"]],
    [["-A=true"], ["--all-namespaces"]],
    [["--watch=false"], ["--no-watch"]],
    [
      ["-n", "shop"],
      ["-n", "shop"],
    ],
    [["-nshop"], ["-nshop"]],
  ];
  for (const [argv, expected] of table) {
    test(`${argv.join(" ")} → ${expected.join(" ")}`, () => {
      assert.deepEqual(normalizeArgs(argv, options), expected);
    });
  }

  test("-o=json prints JSON, as -o json does", async () => {
    const spaced = await ramp(["version", "--client", "-o", "json"]);
    const joined = await ramp(["version", "--client", "-o=json"]);
    assert.equal(joined.code, 0, joined.stderr);
    assert.deepEqual(JSON.parse(joined.stdout), JSON.parse(spaced.stdout));
  });

  test("-o=csv is refused by name, not read as '=csv'", async () => {
    const r = await ramp(["list", "rollouts", "-o=csv"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /-o csv: not one of/);
  });
});

describe("flags whose own name starts with no-", () => {
  // parseArgs alone reads --no-headers as "headers" negated: the flag was never seen as given.
  const table: [string[], Record<string, unknown>][] = [
    [["--no-headers"], { "no-headers": true }],
    [["--no-headers=false"], { "no-headers": false }],
    [["--no-color"], { "no-color": true }],
    [["--watch=false"], { watch: false }],
    [["--no-watch"], { watch: false }],
  ];
  for (const [argv, expected] of table)
    test(argv.join(" "), () => {
      const { values } = parse(argv, options);
      for (const [k, v] of Object.entries(expected)) assert.equal(values[k], v, k);
      assert.equal(values.headers, undefined);
      assert.equal(values.color, undefined);
    });
});
