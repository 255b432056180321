// Bundles the dashboard's app into a folder at image build time: `node src/dashboard/web/prebuild.ts DIR`.
import { writePrebuilt } from "./build.ts";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node src/dashboard/web/prebuild.ts DIR\n");
  process.exit(2);
}
await writePrebuilt(dir);
process.stdout.write(`dashboard app bundled into ${dir}\n`);
