// The cloudWatch provider: GetMetricData through the official AWS SDK v3 client (credentials by its standard
// chain), every request under the analysis address policy; the MetricDataResults are the value, none with a
// value is no data.
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchProvider } from "../../api/index.ts";
import { parseDuration } from "../../api/index.ts";
import { substitute, substituteUrl } from "./args.ts";
import { guardedAwsHandler } from "./aws-handler.ts";
import { type Resolve, resolveAll } from "./guarded-http.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

const TIMEOUT_MS = 30_000;
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_PAGES = 5;
const plain = (v: string) => v;
const seconds = (v: number | string, field: string) => Math.round(parseDuration(v, field) / 1000);

/** Argo's lowerCamel queries as the SDK's, args replaced in expressions and dimension values. */
export function sdkQueries(
  cfg: CloudWatchProvider,
  args: Record<string, string>,
  path: string,
): MetricDataQuery[] {
  return cfg.metricDataQueries.map((q, i) => {
    const at = `${path}.metricDataQueries[${i}]`;
    const stat = q.metricStat;
    return {
      Id: q.id,
      ...(q.expression ? { Expression: substitute(q.expression, args, plain) } : {}),
      ...(q.label === undefined ? {} : { Label: q.label }),
      ...(q.period === undefined ? {} : { Period: seconds(q.period, `${at}.period`) }),
      ...(q.returnData === undefined ? {} : { ReturnData: q.returnData }),
      ...(stat
        ? {
            MetricStat: {
              Metric: {
                ...(stat.metric.namespace ? { Namespace: stat.metric.namespace } : {}),
                ...(stat.metric.metricName ? { MetricName: stat.metric.metricName } : {}),
                ...(stat.metric.dimensions
                  ? {
                      Dimensions: stat.metric.dimensions.map((d) => ({
                        Name: d.name,
                        Value: substitute(d.value, args, plain),
                      })),
                    }
                  : {}),
              },
              Period: seconds(stat.period, `${at}.metricStat.period`),
              Stat: stat.stat,
              ...(stat.unit ? { Unit: stat.unit as NonNullable<MetricDataQuery["MetricStat"]>["Unit"] } : {}),
            },
          }
        : {}),
    };
  });
}

type Result = { Id: string; Label: string; StatusCode: string; Timestamps: string[]; Values: number[] };

/** Asks every page (up to MAX_PAGES), each query's values joined across pages in CloudWatch's order. */
async function getAll(
  client: CloudWatchClient,
  input: ConstructorParameters<typeof GetMetricDataCommand>[0],
) {
  const byId = new Map<string, Result>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.send(
      new GetMetricDataCommand({ ...input, ...(token ? { NextToken: token } : {}) }),
    );
    for (const r of out.MetricDataResults ?? []) {
      const id = r.Id ?? "";
      const into = byId.get(id) ?? {
        Id: id,
        Label: r.Label ?? "",
        StatusCode: "",
        Timestamps: [],
        Values: [],
      };
      into.StatusCode = r.StatusCode ?? into.StatusCode;
      into.Timestamps.push(...(r.Timestamps ?? []).map((t) => t.toISOString()));
      into.Values.push(...(r.Values ?? []));
      byId.set(id, into);
    }
    token = out.NextToken;
    if (!token) break;
  }
  return [...byId.values()];
}

export const cloudWatchProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
  now: () => number = Date.now,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.cloudWatch;
    if (!cfg) throw new Error("not a cloudWatch metric");
    const path = `spec.metrics[${ctx.metricIndex}].provider.cloudWatch`;
    const region = cfg.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region)
      throw new Error(`${path}.region: no region: set it, or AWS_REGION in the controller's environment`);
    const endpoint = cfg.address ? substituteUrl(cfg.address, ctx.args) : undefined;
    const field = endpoint ? `${path}.address ${endpoint}` : `${path}.region ${region}`;
    const client = new CloudWatchClient({
      region,
      ...(endpoint ? { endpoint } : {}),
      // ramp retries by the metric's own limits (consecutiveErrorLimit), not inside one measurement.
      maxAttempts: 1,
      requestHandler: guardedAwsHandler({
        policy,
        resolve,
        subject: (u, hop) =>
          `metric ${ctx.metric.name}: ${field}${hop === 0 ? ` (${u.origin})` : `: its redirect to ${u.origin}${u.pathname}`}`,
        timeoutMs: TIMEOUT_MS,
        maxBytes: MAX_BYTES,
      }),
    });
    try {
      const end = now();
      const start = end - parseDuration(cfg.interval ?? "5m", `${path}.interval`);
      const results = await getAll(client, {
        MetricDataQueries: sdkQueries(cfg, ctx.args, path),
        StartTime: new Date(start),
        EndTime: new Date(end),
      }).catch((err: unknown) => {
        throw awsError(err);
      });
      return { kind: "value", value: results.some((r) => r.Values.length > 0) ? results : null };
    } finally {
      client.destroy();
    }
  },
});

/** The SDK's error as CloudWatch named it (InvalidParameterValue, Throttling), no request in it. */
function awsError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (meta?.httpStatusCode === undefined) return err;
  const e = new Error(`cloudWatch ${err.name} (HTTP ${meta.httpStatusCode}): ${err.message}`);
  if (err.name === "Throttling" || err.name === "ThrottlingException")
    e.message += ": measure less often (interval) or ask AWS to raise the GetMetricData quota";
  return e;
}
