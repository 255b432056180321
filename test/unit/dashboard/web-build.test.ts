// The bundled app obeys the server's CSP: index.html has no inline script, style or handler, the assets
// are content-hashed, and the JavaScript never evaluates strings.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAssets } from "../../../src/dashboard/web/build.ts";

test("dashboard web: buildAssets makes a CSP-clean index.html and hashed assets, cached per process", async () => {
  const assets = await buildAssets();
  const { index, files } = assets;

  const scripts = [...index.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]?.[1] ?? "", /type="module" src="\/assets\/app\.[A-Za-z0-9]+\.js"/);
  assert.equal(scripts[0]?.[2], "", "no inline script");
  assert.doesNotMatch(index, /<style\b/i, "no inline style element");
  assert.doesNotMatch(index, /\sstyle=/i, "no style attribute");
  assert.doesNotMatch(index, /\son[a-z]+=/i, "no inline event handler");
  assert.match(index, /<link rel="stylesheet" href="\/assets\/app\.[A-Za-z0-9]+\.css">/);

  // Keyed by the name under /assets/, as the server's StaticFiles looks them up.
  const names = [...files.keys()];
  assert.equal(names.length, 2, names.join(", "));
  assert.equal(names.filter((n) => /^app\.[A-Za-z0-9]{6,}\.css$/.test(n)).length, 1, names.join(", "));
  assert.equal(names.filter((n) => /^app\.[A-Za-z0-9]{6,}\.js$/.test(n)).length, 1, names.join(", "));
  for (const name of names)
    assert.ok(index.includes(`"/assets/${name}"`), `index.html references /assets/${name}`);

  const js = [...files.entries()].find(([n]) => n.endsWith(".js"))?.[1];
  const css = [...files.entries()].find(([n]) => n.endsWith(".css"))?.[1];
  assert.ok(js && css);
  assert.match(js.type, /^text\/javascript/);
  assert.match(css.type, /^text\/css/);
  const code = js.body.toString("utf8");
  assert.doesNotMatch(code, /\beval\(/);
  assert.doesNotMatch(code, /new Function\(/);
  // uPlot's own stylesheet is in the bundle next to the app's.
  assert.match(css.body.toString("utf8"), /\.uplot/);
  assert.match(css.body.toString("utf8"), /\.badge-abort/);

  assert.equal(await buildAssets(), assets, "built once per process");
});
