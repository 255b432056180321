// One shared clock for every relative time on the page: a single timer, not one per row.
import { useEffect, useState } from "preact/hooks";

const subscribers = new Map<number, Set<(now: number) => void>>();
const timers = new Map<number, ReturnType<typeof setInterval>>();

/** Call `fn` with the time every `every` ms, on one timer shared by all who ask the same period. */
export function onTick(every: number, fn: (now: number) => void): () => void {
  let set = subscribers.get(every);
  if (!set) {
    const fresh = new Set<(now: number) => void>();
    set = fresh;
    subscribers.set(every, fresh);
    timers.set(
      every,
      setInterval(() => {
        const now = Date.now();
        for (const f of fresh) f(now);
      }, every),
    );
  }
  set.add(fn);
  return () => {
    set.delete(fn);
    if (set.size === 0) {
      clearInterval(timers.get(every));
      timers.delete(every);
      subscribers.delete(every);
    }
  };
}

/** The current time in ms, updated every `every` ms. */
export function useNow(every: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => onTick(every, setNow), [every]);
  return now;
}
