// Every `kubectl ramp` command but `completion` (which reads this list).
import type { Command } from "./command.ts";
import { abort } from "./commands/abort.ts";
import { convertCommand } from "./commands/convert.ts";
import { dashboard } from "./commands/dashboard.ts";
import { get } from "./commands/get.ts";
import { lintCommand } from "./commands/lint.ts";
import { list } from "./commands/list.ts";
import { migrateCanary, migrateRollout } from "./commands/migrate.ts";
import { pause } from "./commands/pause.ts";
import { plan } from "./commands/plan.ts";
import { promote } from "./commands/promote.ts";
import { restart } from "./commands/restart.ts";
import { resume } from "./commands/resume.ts";
import { retry } from "./commands/retry.ts";
import { setImageCommand } from "./commands/set-image.ts";
import { status } from "./commands/status.ts";
import { undo } from "./commands/undo.ts";
import { version } from "./commands/version.ts";

export const COMMANDS: Command[] = [
  get,
  list,
  status,
  promote,
  abort,
  retry,
  pause,
  resume,
  restart,
  setImageCommand,
  undo,
  lintCommand,
  plan,
  dashboard,
  convertCommand,
  migrateRollout,
  migrateCanary,
  version,
];
