// Name resolution for the web policy, apart from guarded-http.ts so that a controller that sends nothing
// over HTTP never loads axios (docs/adr/0017-lazy-modules-and-v8-flags.md).
import { lookup } from "node:dns/promises";

export type Target = { address: string; family: 4 | 6 };

/** Every address of a host name (injectable for tests). */
export type Resolve = (host: string) => Promise<Target[]>;
export const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })) as Target[];
