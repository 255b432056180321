// Runs before npm test: the scripts need Node 24, which the devDependency `node` provides on PATH.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const major = Number(process.versions.node.split(".")[0]);
if (major !== 24) {
  if (!existsSync("node_modules/.bin/node")) {
    console.error("ramp: dependencies are not installed; running `npm install` (brings Node 24)…");
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], { stdio: "inherit" });
  } else {
    console.error(`ramp: npm scripts run on Node ${process.versions.node}, expected 24.x.`);
    console.error(
      "      Run them through npm (npm test, npm run …) so node_modules/.bin/node comes first on PATH.",
    );
    process.exit(1);
  }
}
