// AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun. All three hold the same Metric schema
// (src/api/metric.ts), and buildRun copies a template's metrics into its run whole, so one test of a
// metric field, through a template or on a run created directly, proves it for all three kinds.
import { CONTAINER, type Proofs, reused, under } from "./proof.ts";

const I = "test/integration/analysis";
const PROM = `${I}/prometheus.test.ts`;
const AUTH = `${I}/prometheus-auth.test.ts`;
const CA = `${I}/prometheus-ca.test.ts`;
const CA_ADMIT = `${CA}#admission refuses a CA beside insecure: true`;
const PROM_CA_SECRET = `${CA}#prometheus caSecretRef: the CA that signed`;
const PROM_CA_FILE = `${CA}#prometheus caFile: a CA file the controller reads`;
const WEB_CA = `${CA}#web caSecretRef and caFile`;
const CA_UNIT = "test/unit/analysis/tls-ca.test.ts";
const WEB_CA_UNIT = `${CA_UNIT}#web: the signing CA from a Secret or a file verifies`;
const PROM_CA_UNIT = `${CA_UNIT}#prometheus: the same`;
const TMPL = `${I}/templated-fields.test.ts`;
const PROVIDERS = `${I}/providers.test.ts`;
const ADMIT = "test/integration/api-admission.test.ts";
const RBAC = "test/integration/chart/controller-rbac.test.ts#analysis, pruning and a restart complete";
const RUN_UNIT = "test/unit/analysis/run-fields.test.ts";
const BUILD = "test/unit/analysis/build.test.ts";
const FIELDS = `${I}/run-fields.test.ts`;
const IN_ONE_STEP = `${FIELDS}#measurementRetention, initialDelay, a dryRun pattern and a fieldRef arg`;
const JOB_ARGS = `${FIELDS}#a Job metric: args fill every string`;
const INCONCLUSIVE = `${FIELDS}#inconclusiveLimit 2: the run stays Running`;
// Refused providers are declared with their CEL rule by one unsupportedFields() entry (src/api/meta.ts),
// so the admission test of one proves the rule of each sibling declared beside it.
const REFUSED = `${ADMIT}#a Wavefront metric`;

const GOOD = `${PROM}#a good canary`;
const BAD = `${PROM}#a bad canary`;
const DOWN = `${PROM}#Prometheus down mid-analysis`;
const HEADERS = `${AUTH}#headers from a value`;
const BEARER = `${AUTH}#authentication.bearerToken from a Secret`;
const BASIC = `${AUTH}#authentication.basic with the password`;
const WEB = `${PROVIDERS}#a JSON endpoint's field decides`;
const WEB_SECRET = [RBAC, "test/integration/chart/controller-rbac.test.ts#not in analysis.secretNames"];
const WEB_ARGS = `${AUTH}#a web metric's header values get their args`;
const WEB_HEADER = "test/unit/analysis/web.test.ts#{{args.NAME}} in a header value";
const DRY = `${RUN_UNIT}#the failing metric is recorded Failed`;
const RETENTION = `${RUN_UNIT}#measurementRetention limit 2`;

const SIGV4 = `${I}/prometheus-sigv4.test.ts#contract test: a signed query`;
const SIGV4_UNIT_FILE = "test/unit/analysis/prometheus-sigv4.test.ts";
const SIGV4_UNIT = `${SIGV4_UNIT_FILE}#contract test: a query with spaces`;
const JUDGE_IT = `${I}/judge.test.ts`;
const JUDGE_UNIT = "test/unit/analysis/judge/judgement.test.ts";
const SLOWER = `${JUDGE_IT}#a canary 25% slower fails`;
const WEIGHTS = `${JUDGE_IT}#weights and thresholds`;
const GUARDED = `${JUDGE_IT}#judge.prometheus is a prometheus metric's connection`;
/** The judge's connection is handed whole to the client the prometheus provider uses (prometheus-client.ts). */
const PROM_CONNECTION: Proofs = {
  address: [GUARDED, DOWN],
  timeout: ["test/unit/analysis/prometheus-fields.test.ts#prometheus timeout"],
  headers: [HEADERS],
  "headers[].key": [HEADERS],
  "headers[].value": [HEADERS],
  "headers[].valueFrom": [HEADERS],
  "headers[].valueFrom.secretKeyRef": [HEADERS],
  "headers[].valueFrom.secretKeyRef.name": [HEADERS],
  "headers[].valueFrom.secretKeyRef.key": [HEADERS],
  authentication: CONTAINER,
  "authentication.bearerToken": [BEARER],
  "authentication.bearerToken.secretKeyRef": [BEARER],
  "authentication.bearerToken.secretKeyRef.name": [BEARER],
  "authentication.bearerToken.secretKeyRef.key": [BEARER],
  "authentication.basic": [GUARDED, BASIC],
  "authentication.basic.username": [GUARDED, BASIC],
  "authentication.basic.passwordSecretKeyRef": [GUARDED, BASIC],
  "authentication.basic.passwordSecretKeyRef.name": [GUARDED, BASIC],
  "authentication.basic.passwordSecretKeyRef.key": [GUARDED, BASIC],
  "authentication.sigv4": [SIGV4, SIGV4_UNIT],
  "authentication.sigv4.region": [SIGV4, SIGV4_UNIT],
  insecure: [`${TMPL}#a Prometheus over TLS`],
  insecureSkipVerify: [`${I}/provider-fields.test.ts#prometheus insecureSkipVerify: true measures`],
  caSecretRef: [PROM_CA_SECRET, PROM_CA_UNIT],
  "caSecretRef.name": [PROM_CA_SECRET],
  "caSecretRef.key": [PROM_CA_SECRET],
  caFile: [PROM_CA_FILE, PROM_CA_UNIT],
};
const JUDGE: Proofs = {
  "provider.judge": [SLOWER, `${JUDGE_IT}#identical versions pass`],
  ...reused("provider.judge.prometheus.", [GUARDED], { "": [GUARDED], ...PROM_CONNECTION }),
  "provider.judge.window": [SLOWER, `${JUDGE_UNIT}#defaults`],
  "provider.judge.step": [SLOWER, `${JUDGE_UNIT}#minSamples defaults`],
  "provider.judge.minSamples": [
    `${JUDGE_IT}#minSamples: a canary with half a window`,
    `${ADMIT}#a judge minSamples above what window / step gives`,
    `${JUDGE_IT}#too few samples is no data`,
  ],
  "provider.judge.confidence": [`${JUDGE_UNIT}#confidence: the same +8% canary`],
  "provider.judge.thresholds": [WEIGHTS],
  "provider.judge.thresholds.pass": [WEIGHTS],
  "provider.judge.thresholds.marginal": [WEIGHTS],
  "provider.judge.metrics": [SLOWER, WEIGHTS],
  "provider.judge.metrics[].name": [SLOWER],
  "provider.judge.metrics[].query": [SLOWER, `${JUDGE_UNIT}#{{version.hash}} and {{version.role}}`],
  "provider.judge.metrics[].direction": [`${JUDGE_IT}#a drop in throughput fails a decrease metric`],
  "provider.judge.metrics[].tolerance": [SLOWER, `${JUDGE_UNIT}#tolerance reads as a percentage`],
  "provider.judge.metrics[].critical": [`${JUDGE_IT}#a critical metric fails alone`],
  "provider.judge.metrics[].weight": [WEIGHTS],
};

const DD_UNIT = "test/unit/analysis/datadog.test.ts";
const DD_IT = `${I}/datadog.test.ts#contract test: a v2 formula over two queries`;
const DD_V1 = `${DD_UNIT}#contract test v1`;
const DD_V2 = `${DD_UNIT}#contract test v2: queries combined by a formula`;
/** Contract tests: Datadog cannot be reached from here, a local server checks its documented API. */
const DATADOG: Proofs = {
  "provider.datadog": [DD_IT, DD_V1],
  "provider.datadog.apiVersion": [DD_V1, `${DD_UNIT}#contract test v2: POST /api/v2/query/scalar`],
  "provider.datadog.interval": [DD_V1, `${DD_UNIT}#default window 5m`],
  "provider.datadog.query": [DD_V1, `${DD_UNIT}#a query alone is named query`],
  "provider.datadog.queries": [DD_IT, DD_V2],
  "provider.datadog.formula": [DD_IT, DD_V2],
  "provider.datadog.aggregator": [DD_V2],
  "provider.datadog.site": [`${DD_UNIT}#site picks https://api.<site>`],
  "provider.datadog.address": [DD_IT, `${DD_UNIT}#the address policy applies to it and to address`],
  "provider.datadog.secretRef": [DD_IT, `${DD_UNIT}#wrong keys are a 403`],
  "provider.datadog.secretRef.name": [DD_IT, `${DD_UNIT}#wrong keys are a 403`],
  "provider.datadog.requestTimeout": [`${DD_UNIT}#requestTimeout bounds a request`],
};

const NR_UNIT = "test/unit/analysis/newrelic.test.ts";
const NR_IT = `${I}/newrelic.test.ts#contract test: an NRQL row under the threshold passes`;
const NR_NRQL = `${NR_UNIT}#contract test: NRQL through NerdGraph`;
const NEW_RELIC: Proofs = {
  "provider.newRelic": [NR_IT, NR_NRQL],
  "provider.newRelic.query": [NR_IT, NR_NRQL],
  "provider.newRelic.region": [`${NR_UNIT}#region picks NerdGraph's US or EU URL`],
  "provider.newRelic.address": [NR_IT, `${NR_UNIT}#the address policy applies to it and to address`],
  "provider.newRelic.secretRef": [NR_IT, `${NR_UNIT}#a refused key are Error measurements`],
  "provider.newRelic.secretRef.name": [NR_IT, `${NR_UNIT}#a refused key are Error measurements`],
};

const CW_UNIT = "test/unit/analysis/cloudwatch.test.ts";
const CW_IT = `${I}/cloudwatch.test.ts#contract test: a signed GetMetricData`;
const CW_SHAPE = `${CW_UNIT}#contract test: GetMetricData signed with SigV4`;
const CW_Q = "provider.cloudWatch.metricDataQueries[]";
const CLOUDWATCH: Proofs = {
  "provider.cloudWatch": [CW_IT, CW_SHAPE],
  "provider.cloudWatch.interval": [CW_SHAPE],
  "provider.cloudWatch.metricDataQueries": [CW_IT, CW_SHAPE],
  ...under(`${CW_Q}.`, {
    "": [CW_IT, CW_SHAPE],
    id: [CW_IT, CW_SHAPE],
    expression: [CW_IT, CW_SHAPE],
    label: [CW_SHAPE],
    metricStat: [CW_IT, CW_SHAPE],
    "metricStat.metric": [CW_IT, CW_SHAPE],
    "metricStat.metric.namespace": [CW_SHAPE],
    "metricStat.metric.metricName": [CW_SHAPE],
    "metricStat.metric.dimensions": [CW_IT, CW_SHAPE],
    "metricStat.metric.dimensions[].name": [CW_IT, CW_SHAPE],
    "metricStat.metric.dimensions[].value": [CW_IT, CW_SHAPE],
    "metricStat.period": [CW_SHAPE],
    "metricStat.stat": [CW_SHAPE],
    "metricStat.unit": [CW_SHAPE],
    period: [CW_SHAPE],
    returnData: [CW_SHAPE],
  }),
  "provider.cloudWatch.region": [`${CW_UNIT}#region picks CloudWatch's regional endpoint`],
  "provider.cloudWatch.address": [CW_IT, `${CW_UNIT}#the address policy applies to it and to address`],
};

const G_UNIT = "test/unit/analysis/graphite.test.ts";
const G_IT = `${I}/graphite.test.ts#under the threshold passes with an arg`;
/** Against a real graphite-web over whisper files the tests write (test/support/graphite.ts). */
const GRAPHITE: Proofs = {
  "provider.graphite": [G_IT, `${G_UNIT}#under the threshold passes, over it fails`],
  "provider.graphite.address": [
    G_IT,
    `${G_UNIT}#the address policy applies to the address`,
    `${ADMIT}#a graphite address that is not an http(s) URL`,
    `${ADMIT}#a graphite address ending in /render`,
  ],
  "provider.graphite.query": [
    G_IT,
    `${G_UNIT}#{{args.NAME}} is replaced inside its parameter`,
    `${G_UNIT}#Argo's multi-line target`,
    `${ADMIT}#a graphite query setting format`,
  ],
};

/** spec.metrics[] of every kind. */
const METRIC: Proofs = {
  "": [GOOD, `${ADMIT}#no metrics`],
  name: [BAD, `${ADMIT}#duplicate metric names`],
  provider: [GOOD, `${ADMIT}#two providers`],
  ...DATADOG,
  ...NEW_RELIC,
  ...CLOUDWATCH,
  ...GRAPHITE,
  "provider.influxdb": [REFUSED],
  "provider.kayenta": [REFUSED],
  "provider.wavefront": [REFUSED],
  "provider.skywalking": [REFUSED],
  "provider.plugin": [REFUSED],
  "provider.prometheus": [GOOD],
  "provider.prometheus.address": [DOWN, `${I}/prometheus-policy.test.ts#own metrics port`],
  "provider.prometheus.query": [BAD, `${PROM}#an arg with quotes and braces`],
  "provider.prometheus.timeout": [
    "test/unit/analysis/prometheus-fields.test.ts#prometheus timeout",
    `${TMPL}#admission`,
  ],
  "provider.prometheus.headers": [HEADERS],
  "provider.prometheus.headers[].key": [HEADERS],
  "provider.prometheus.headers[].value": [HEADERS],
  "provider.prometheus.headers[].valueFrom": [HEADERS],
  "provider.prometheus.headers[].valueFrom.secretKeyRef": [HEADERS],
  "provider.prometheus.headers[].valueFrom.secretKeyRef.name": [HEADERS],
  "provider.prometheus.headers[].valueFrom.secretKeyRef.key": [HEADERS],
  "provider.prometheus.authentication": CONTAINER,
  "provider.prometheus.authentication.bearerToken": [BEARER],
  "provider.prometheus.authentication.bearerToken.secretKeyRef": [BEARER],
  "provider.prometheus.authentication.bearerToken.secretKeyRef.name": [BEARER],
  "provider.prometheus.authentication.bearerToken.secretKeyRef.key": [BEARER],
  "provider.prometheus.authentication.basic": [BASIC],
  "provider.prometheus.authentication.basic.username": [BASIC],
  "provider.prometheus.authentication.basic.passwordSecretKeyRef": [BASIC],
  "provider.prometheus.authentication.basic.passwordSecretKeyRef.name": [BASIC],
  "provider.prometheus.authentication.basic.passwordSecretKeyRef.key": [BASIC],
  "provider.prometheus.authentication.sigv4": [SIGV4, SIGV4_UNIT],
  "provider.prometheus.authentication.sigv4.region": [
    SIGV4,
    `${SIGV4_UNIT_FILE}#the region comes from AWS_REGION`,
  ],
  "provider.prometheus.insecure": [`${TMPL}#a Prometheus over TLS`],
  "provider.prometheus.insecureSkipVerify": [
    `${I}/provider-fields.test.ts#prometheus insecureSkipVerify: true measures`,
  ],
  "provider.prometheus.caSecretRef": [PROM_CA_SECRET, PROM_CA_UNIT, CA_ADMIT],
  "provider.prometheus.caSecretRef.name": [PROM_CA_SECRET],
  "provider.prometheus.caSecretRef.key": [PROM_CA_SECRET],
  "provider.prometheus.caFile": [PROM_CA_FILE, PROM_CA_UNIT, CA_ADMIT],
  "provider.web": [WEB],
  "provider.web.caSecretRef": [WEB_CA, WEB_CA_UNIT],
  "provider.web.caSecretRef.name": [WEB_CA],
  "provider.web.caSecretRef.key": [WEB_CA],
  "provider.web.caFile": [WEB_CA, WEB_CA_UNIT, CA_ADMIT],
  "provider.web.url": [WEB, `${PROVIDERS}#a non-2xx answer`],
  "provider.web.method": [`${I}/provider-fields.test.ts#web method and body`],
  "provider.web.headers": [WEB_ARGS, ...WEB_SECRET, WEB_HEADER],
  "provider.web.headers[].key": [WEB_ARGS, ...WEB_SECRET, WEB_HEADER],
  "provider.web.headers[].value": [WEB_ARGS, WEB_HEADER],
  "provider.web.headers[].valueFrom": [WEB_ARGS, ...WEB_SECRET],
  "provider.web.headers[].valueFrom.secretKeyRef": [WEB_ARGS, ...WEB_SECRET],
  "provider.web.headers[].valueFrom.secretKeyRef.name": [WEB_ARGS, ...WEB_SECRET],
  "provider.web.headers[].valueFrom.secretKeyRef.key": [WEB_ARGS, ...WEB_SECRET],
  "provider.web.body": [`${I}/provider-fields.test.ts#web method and body`],
  "provider.web.timeoutSeconds": [`${I}/provider-fields.test.ts#timeoutSeconds 1 against an endpoint`],
  "provider.web.jsonPath": [WEB],
  "provider.web.contract": [
    `${I}/provider-contract.test.ts#under the threshold passes`,
    `${I}/provider-contract.test.ts#admission refuses body`,
    "test/unit/analysis/contract.test.ts#the request",
  ],
  "provider.web.insecure": [`${I}/provider-fields.test.ts#web insecure: true reaches an HTTPS endpoint`],
  ...JUDGE,
  "provider.job": [`${PROVIDERS}#a Job that succeeds`],
  "provider.job.metadata": CONTAINER,
  "provider.job.metadata.labels": [JOB_ARGS, `${RUN_UNIT}#every string gets its args`],
  "provider.job.metadata.annotations": [
    `${I}/provider-fields.test.ts#metadata.annotations are on the Job it creates`,
  ],
  "provider.job.spec": [`${PROVIDERS}#a Job that fails`],
  interval: [
    `${TMPL}#2 s apart`,
    `${FIELDS}#an interval from args that resolves to`,
    `${ADMIT}#bad interval`,
  ],
  initialDelay: [IN_ONE_STEP, `${RUN_UNIT}#initialDelay "5s"`],
  count: [`${TMPL}#exactly 3 measurements`, GOOD],
  successCondition: ["test/integration/bluegreen/bluegreen.test.ts#pre-promotion analysis failure", WEB],
  failureCondition: [BAD, `${PROM}#a broken CEL expression`],
  failureLimit: ["test/unit/analysis/assess.test.ts#failures within failureLimit"],
  inconclusiveLimit: [INCONCLUSIVE, `${RUN_UNIT}#inconclusiveLimit 2`],
  consecutiveErrorLimit: [DOWN],
  noData: ["test/unit/analysis/assess.test.ts#noData: fail"],
};

/** What a template alone has: args it declares, and dryRun/measurementRetention it adds to its runs. */
const TEMPLATE: Proofs = {
  "spec.args": [`${BUILD}#an arg without a value is named`],
  "spec.args[].name": [`${BUILD}#an arg without a value is named`],
  "spec.args[].value": [`${BUILD}#a template default`],
  "spec.args[].valueFrom": [
    `${I}/template-fields.test.ts#a template's valueFrom args with no value from the Rollout`,
  ],
  "spec.args[].valueFrom.secretKeyRef": [
    `${I}/template-fields.test.ts#a template's valueFrom args with no value from the Rollout`,
  ],
  "spec.args[].valueFrom.secretKeyRef.name": [
    `${I}/template-fields.test.ts#a template's valueFrom args with no value from the Rollout`,
  ],
  "spec.args[].valueFrom.secretKeyRef.key": [
    `${I}/template-fields.test.ts#a template's valueFrom args with no value from the Rollout`,
  ],
  "spec.args[].valueFrom.fieldRef": CONTAINER,
  "spec.args[].valueFrom.fieldRef.fieldPath": [
    `${I}/template-fields.test.ts#a template's valueFrom args with no value from the Rollout`,
  ],
  ...under("spec.metrics[].", METRIC),
  "spec.dryRun": [`${I}/template-fields.test.ts#a template's dryRun and measurementRetention`],
  "spec.dryRun[].metricName": [`${I}/template-fields.test.ts#a template's dryRun and measurementRetention`],
  "spec.measurementRetention": [`${I}/template-fields.test.ts#a template's dryRun and measurementRetention`],
  "spec.measurementRetention[].metricName": [
    `${I}/template-fields.test.ts#a template's dryRun and measurementRetention`,
  ],
  "spec.measurementRetention[].limit": [
    `${I}/template-fields.test.ts#a template's dryRun and measurementRetention`,
  ],
};

export const ANALYSIS_TEMPLATE: Proofs = TEMPLATE;
/** Found by clusterScope and then built by the same code as a namespaced template. */
export const CLUSTER_ANALYSIS_TEMPLATE: Proofs = reused("", [`${BUILD}#clusterScope: true`], TEMPLATE);

const SECRET_ARG = [
  `${PROVIDERS}#a planted secret`,
  JOB_ARGS,
  `${RUN_UNIT}#a Secret arg as a whole env value`,
];
const RUN_STATUS = `${PROM}#an arg with quotes and braces`;

export const ANALYSIS_RUN: Proofs = {
  ...under("spec.metrics[].", METRIC),
  "spec.args": [HEADERS],
  "spec.args[].name": [HEADERS],
  "spec.args[].value": [HEADERS],
  "spec.args[].valueFrom": SECRET_ARG,
  // A run takes only value and secretKeyRef: admission refuses these on a run (buildRun resolves them).
  "spec.args[].valueFrom.podTemplateHashValue": [
    `${ADMIT}#an AnalysisRun with a fieldRef or podTemplateHashValue arg`,
  ],
  "spec.args[].valueFrom.fieldRef": CONTAINER,
  "spec.args[].valueFrom.fieldRef.fieldPath": [
    `${ADMIT}#an AnalysisRun with a fieldRef or podTemplateHashValue arg`,
  ],
  "spec.args[].valueFrom.secretKeyRef": SECRET_ARG,
  "spec.args[].valueFrom.secretKeyRef.name": SECRET_ARG,
  "spec.args[].valueFrom.secretKeyRef.key": SECRET_ARG,
  "spec.dryRun": [IN_ONE_STEP, DRY],
  "spec.dryRun[].metricName": [IN_ONE_STEP, `${FIELDS}#a dryRun entry that names no metric`, DRY],
  "spec.measurementRetention": [IN_ONE_STEP, RETENTION],
  "spec.measurementRetention[].metricName": [
    IN_ONE_STEP,
    RETENTION,
    `${RUN_UNIT}#entry that names no metric`,
  ],
  "spec.measurementRetention[].limit": [IN_ONE_STEP, RETENTION],
  "spec.terminate": [`${PROVIDERS}#background analysis ends Successful`],
  "status.phase": [GOOD],
  "status.message": [`${TMPL}#an arg that resolves to`],
  "status.startedAt": [IN_ONE_STEP],
  "status.finishedAt": ["test/unit/analysis/run-templated.test.ts#an arg that resolves to abc"],
  "status.metricResults": [GOOD],
  "status.metricResults[].name": [RBAC, DRY],
  "status.metricResults[].phase": [RBAC, DRY],
  "status.metricResults[].count": [`${TMPL}#exactly 3 measurements`],
  "status.metricResults[].successful": [GOOD],
  "status.metricResults[].failed": [
    `${I}/run-status.test.ts#the metrics' counters and the runSummary add them up`,
  ],
  "status.metricResults[].inconclusive": [INCONCLUSIVE],
  "status.metricResults[].error": [
    `${I}/run-status.test.ts#the metrics' counters and the runSummary add them up`,
  ],
  // 3 consecutive errors add up over three passes, each reading the count back from status.
  "status.metricResults[].consecutiveError": [DOWN],
  "status.metricResults[].dryRun": [IN_ONE_STEP, DRY],
  "status.metricResults[].measurements": [GOOD],
  "status.metricResults[].measurements[].phase": [`${TMPL}#a Prometheus over TLS`],
  "status.metricResults[].measurements[].value": [GOOD],
  "status.metricResults[].measurements[].message": [RUN_STATUS, `${PROVIDERS}#a non-2xx answer`],
  "status.metricResults[].measurements[].startedAt": [`${TMPL}#2 s apart`],
  "status.metricResults[].measurements[].finishedAt": [
    `${I}/provider-fields.test.ts#timeoutSeconds 5 waits for the answer`,
  ],
  "status.metricResults[].measurements[].metadata": [
    `${I}/provider-fields.test.ts#the measurement's metadata names that Job`,
    `${I}/run-status.test.ts#an ignored no-data measurement`,
  ],
  "status.runSummary": CONTAINER,
  "status.runSummary.count": [`${I}/run-status.test.ts#the metrics' counters and the runSummary add them up`],
  "status.runSummary.successful": [
    `${I}/run-status.test.ts#the metrics' counters and the runSummary add them up`,
  ],
  "status.runSummary.failed": [IN_ONE_STEP],
  "status.runSummary.inconclusive": [
    `${I}/run-status.test.ts#the metrics' counters and the runSummary add them up`,
  ],
  "status.runSummary.error": [`${I}/run-status.test.ts#the metrics' counters and the runSummary add them up`],
};
