// The controller's one root pino logger (JSON lines on stdout) and the per-reconcile child logger.
// Call sites put data first and keep the message constant: log.info({ step: 2 }, "step started").
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Paths whose values never reach a log line. pino's `*` matches one level, so each secret name is
 * listed both at the top level and one object down (e.g. `{ auth: { token } }`).
 */
export const redactPaths: readonly string[] = [
  "token",
  "password",
  "authorization",
  "bearerToken",
  "secret",
  "*.token",
  "*.password",
  "*.authorization",
  "*.Authorization",
  "*.bearerToken",
  "*.secret",
  "*.clientKey",
  "*.keyData",
  "headers.authorization",
  "headers.Authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.Authorization",
  "*.headers.cookie",
];

export interface LoggerOptions {
  /** Minimum level written; defaults to "info". */
  level?: LevelWithSilent;
  /** Where lines go; defaults to stdout (tests pass a stream to read them back). */
  destination?: DestinationStream;
}

/** Creates the root logger; make exactly one per process and derive children from it. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = {
    level: opts.level ?? "info",
    base: { component: "ramp-controller" },
    redact: { paths: [...redactPaths], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The level as its name ("info"), which log pipelines index more readily than pino's numbers.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** What identifies one reconcile in every line it logs. */
export interface ReconcileFields {
  rollout: string;
  namespace: string;
  /** The Rollout's revision (pod-template hash or revision number); omitted before one is known. */
  revision?: string | number;
}

/** A child logger for one reconcile, so every line it writes carries rollout, namespace and revision. */
export function reconcileLogger(root: Logger, fields: ReconcileFields): Logger {
  return root.child(
    fields.revision === undefined
      ? { rollout: fields.rollout, namespace: fields.namespace }
      : { rollout: fields.rollout, namespace: fields.namespace, revision: String(fields.revision) },
  );
}

/** A logger that drops everything, for callers (and tests) that do not pass one. */
export const silentLogger: Logger = pino({ level: "silent" });
