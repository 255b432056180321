// A cross-process lock file so a test run and `npm run cluster:up` started together do not both
// start a control plane on the same ports. A lock whose owner died is taken over.
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isRunning } from "./processes.ts";

async function tryAcquire(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, "wx");
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

async function ownerPid(lockFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(lockFile, "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function withLock<T>(
  lockFile: string,
  log: (line: string) => void,
  fn: () => Promise<T>,
  timeoutMs = 180_000,
): Promise<T> {
  await mkdir(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  let emptySince: number | undefined;
  while (!(await tryAcquire(lockFile))) {
    const owner = await ownerPid(lockFile);
    if (owner === undefined) {
      // Empty only between another process's create and write, unless that process died right there.
      emptySince ??= Date.now();
      if (Date.now() - emptySince > 2_000) await rm(lockFile, { force: true });
      await sleep(50);
      continue;
    }
    emptySince = undefined;
    if (owner !== process.pid && !isRunning(owner)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (!announced) log(`waiting for process ${owner}, which holds ${lockFile}`);
    announced = true;
    if (Date.now() > deadline) {
      throw new Error(
        `ramp: ${lockFile} is held by process ${owner} for over ${timeoutMs / 1000}s; if it hangs, stop it`,
      );
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}
