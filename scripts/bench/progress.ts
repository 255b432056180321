// Waiting on the benchmark's own watches, with a progress line every few seconds and a hard limit.
export async function waitUntil(
  done: () => boolean,
  what: string,
  timeoutMs: number,
  progress: () => string,
  say: (msg: string) => void,
): Promise<void> {
  const started = Date.now();
  let said = started;
  while (!done()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (${progress()})`);
    }
    if (Date.now() - said >= 5_000) {
      say(`${what}: ${progress()} after ${Math.round((Date.now() - started) / 1000)} s`);
      said = Date.now();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
