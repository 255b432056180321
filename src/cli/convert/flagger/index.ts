// Flagger (flagger.app/v1beta1) → ramp. Each Canary becomes a Rollout, one AnalysisTemplate of its checks
// (plus `-pre-rollout`/`-post-rollout` ones for those webhooks), the Services and the VirtualService,
// DestinationRules or HTTPRoute Flagger generated (it owns them: they go with the Canary), and its HPA
// retargeted. MetricTemplates are rendered into the AnalysisTemplate of each Canary that uses them.
//
// Mapping (the modules say why):
//   targetRef (Deployment)        spec.workloadRef {scaleDown: onsuccess} + the Deployment's selector, or its
//                                 template with --inline (the Deployment is then `consumed`)   workload.ts
//   provider istio|gatewayapi|nginx  trafficRouting istio.virtualService | gatewayAPI.httpRoutes | nginx
//                                 (ingressRef); stable = the apex Service, canary = `<svc>-canary`  traffic.ts
//   provider kubernetes, iterations  strategy.blueGreen {activeService: apex, previewService: -canary}
//   stepWeight(s)/maxWeight       setWeight w + pause {duration: interval} per weight        steps.ts
//   stepWeightPromotion           setWeight steps from maxWeight to 100 after the gate
//   iterations + match            setCanaryScale 100, setHeaderRoute per match, pause iterations×interval
//   mirror/mirrorWeight           setMirrorRoute {percentage} held one interval (blue/green: iterations)
//   interval, threshold           every check every interval, first after one interval; failureLimit and
//                                 consecutiveErrorLimit threshold−1; noData fail              analysis.ts
//   metrics request-success-rate/request-duration   Prometheus queries per mesh/ingress   builtins.ts
//   metrics templateRef/query     the MetricTemplate's query rendered for this Canary      templates.ts
//   thresholdRange {min,max}      successCondition `result[0] >= min && result[0] <= max`   metrics.ts
//   webhooks confirm-rollout      pause: {} first; confirm-promotion: pause: {} last (blue-green:
//                                 autoPromotionEnabled: false); pre-rollout: analysis step; rollout:
//                                 beside the checks; post-rollout: blue-green postPromotionAnalysis
//                                 (dryRun) — each a `job` metric POSTing Flagger's payload  webhooks.ts
//   progressDeadlineSeconds       progressDeadlineSeconds + progressDeadlineAbort (Flagger rolls back)
//   suspend                       spec.paused
//   service.*                     the Services (ports, portDiscovery, apex/primary/canary metadata) and the
//                                 route (hosts, gateways, gatewayRefs, match, rewrite, timeout, retries,
//                                 headers, corsPolicy, mirror, trafficPolicy as DestinationRules)
//   autoscalerRef                 the HPA's scaleTargetRef → the Rollout; primaryScalerReplicas its bounds
// Decisions:
// - Checks run beside the steps (a background analysis from the first hold with traffic), not as analysis
//   steps: Flagger's `threshold` counts failed checks over the whole analysis, which only a run that spans
//   the steps can count (failureLimit threshold−1 per metric). Two differences remain: a failed check holds
//   Flagger's weight for one more interval, while ramp keeps the schedule; and Flagger counts one failure per
//   tick across all metrics, ramp counts per metric.
// - Webhooks become `job` metrics (curl in a Job), not `web` ones: ramp's web provider needs a JSON answer,
//   and Flagger's load tester answers plain text or nothing.
// - workloadRef with `scaleDown: onsuccess`: Flagger keeps its target at zero once the primary runs, and
//   ramp scales the Deployment back up if the Rollout is deleted (Flagger's revertOnDeletion).
// - The apex Service is the stable Service (Flagger points it at the primary); `<svc>-primary` goes.
// - A target Deployment not among the inputs: selector `{app: <targetRef.name>}` (Flagger's convention),
//   with a note to check it.
// Not carried, each reported with file, line and what to do instead: alerts and AlertProviders, skipAnalysis,
// revertOnDeletion with --inline, primary/canaryReadyThreshold, sessionAffinity, confirm-traffic-increase,
// rollback and event webhooks, post-rollout of a canary, providers ramp does not route (linkerd, contour,
// gloo, …) and their fields, metric providers other than Prometheus, and any field no mapping above read.
import type { Document } from "yaml";
import type { ConvertResult, SourceDoc } from "../types.ts";
import { convertCanary, type World } from "./canary.ts";
import { type Report, Source } from "./source.ts";
import { isDeployment, isHpa, reportDeployment } from "./workload.ts";

const isFlagger = (s: Source): boolean =>
  typeof s.obj.apiVersion === "string" && s.obj.apiVersion.startsWith("flagger.app/");

export function convertFlagger(
  docs: SourceDoc[],
  opts: { inline: boolean },
): ConvertResult & { consumed: Document[] } {
  const report: Report = { drops: [], notes: [] };
  const sources = docs.map((d) => new Source(d, report));
  const flagger = sources.filter(isFlagger);
  const world: World = {
    templates: flagger.filter((s) => s.kind === "MetricTemplate"),
    deployments: sources.filter(isDeployment),
    hpas: sources.filter(isHpa),
    consumed: [],
    inline: opts.inline,
  };
  const outputs = flagger.filter((s) => s.kind === "Canary").flatMap((c) => convertCanary(c, world));
  for (const t of world.templates) {
    if (!t.touched())
      t.dropAll(
        "used by no Canary among the inputs: ramp has no shared metric object; its query is written into the " +
          "AnalysisTemplate of each Canary that uses it, so convert it together with them",
      );
    else t.leftovers(["spec"], "not carried: the converter does not know this field");
  }
  for (const s of flagger) {
    if (s.kind === "AlertProvider")
      s.dropAll(
        "ramp sends no notifications yet: alert on the Rollout's Events and conditions, or on ramp's metrics",
      );
    else if (s.kind !== "Canary" && s.kind !== "MetricTemplate")
      s.dropAll(`${s.kind} is not a Flagger kind the converter knows`);
  }
  for (const d of world.deployments) if (world.consumed.includes(d.src.doc)) reportDeployment(d);
  const order = (file: string) => docs.findIndex((d) => d.file === file);
  const byPlace = (
    a: { file: string; line?: number | undefined },
    b: { file: string; line?: number | undefined },
  ) => order(a.file) - order(b.file) || (a.line ?? 0) - (b.line ?? 0);
  return {
    outputs,
    drops: report.drops.sort(byPlace),
    notes: report.notes.sort(byPlace),
    consumed: world.consumed,
  };
}
