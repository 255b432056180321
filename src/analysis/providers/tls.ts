// The https agent a metric's TLS fields ask for: the default (public roots), none of the checks
// (insecure), or a CA bundle from a Secret key or a file trusted instead of the public roots.
import { readFile } from "node:fs/promises";
import { Agent } from "node:https";
import type { MeasureContext } from "./provider.ts";

const insecureAgent = new Agent({ rejectUnauthorized: false });
/** One agent per bundle, so connections to a TLS Prometheus are reused; bundles are few and small. */
const byBundle = new Map<string, Agent>();
const MAX_AGENTS = 64;

export type TlsFields = {
  insecure?: boolean | undefined;
  caSecretRef?: { name: string; key: string } | undefined;
  caFile?: string | undefined;
};

const PEM = /-----BEGIN CERTIFICATE-----/;

/** The agent for these fields; undefined leaves Node's default. Throws naming the field at fault. */
export async function httpsAgent(
  cfg: TlsFields,
  ctx: MeasureContext,
  field: string,
): Promise<Agent | undefined> {
  if (cfg.insecure) return insecureAgent;
  let pem: string;
  let from: string;
  if (cfg.caSecretRef) {
    pem = await ctx.secret(cfg.caSecretRef.name, cfg.caSecretRef.key);
    from = `${field}.caSecretRef (Secret "${cfg.caSecretRef.name}" key "${cfg.caSecretRef.key}")`;
  } else if (cfg.caFile) {
    from = `${field}.caFile ${cfg.caFile}`;
    pem = await readFile(cfg.caFile, "utf8").catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${from}: cannot read it (${err.code ?? err.message})`);
    });
  } else return undefined;
  if (!PEM.test(pem)) throw new Error(`${from} holds no PEM certificate`);
  let agent = byBundle.get(pem);
  if (!agent) {
    if (byBundle.size >= MAX_AGENTS) {
      const oldest = byBundle.keys().next().value;
      if (oldest !== undefined) byBundle.get(oldest)?.destroy();
      if (oldest !== undefined) byBundle.delete(oldest);
    }
    agent = new Agent({ ca: pem, keepAlive: true });
    byBundle.set(pem, agent);
  }
  return agent;
}
