// A Canary's `analysis.webhooks[]` by type. The gates (confirm-rollout, confirm-promotion) become
// indefinite pauses: `kubectl ramp promote` is the approval the webhook's 200 was. The calls (pre-rollout,
// rollout, post-rollout) become `job` metrics: a Job POSTs Flagger's payload to the URL, and the Job fails
// when the answer is not 200-202, as Flagger counts it. Not `web` metrics: ramp's web provider needs a JSON
// answer, and Flagger's load tester answers plain text ("OK", "Approved") or nothing (202).
import { dotted, type Json, type Path, type Source, stringMap } from "./source.ts";
import { goDurationMs, metricName, uniqueName } from "./util.ts";

export type Mode = "canary" | "ab" | "bluegreen";

/** A job metric and the webhook it came from. */
export type Hook = { metric: Json; from: Path; comment: string };

export type Hooks = {
  confirmRollout: Path | undefined;
  confirmPromotion: Path | undefined;
  preRollout: Hook[];
  rollout: Hook[];
  postRollout: Hook[];
};

/** The image of the Job that calls a webhook: curl and a POSIX shell. */
export const CURL_IMAGE = "curlimages/curl:8.11.1";

// The call as Flagger makes it: POST, JSON, its timeout and retries; only 200-202 pass.
const SCRIPT = [
  'code=$(curl -sS -o /dev/stderr -w \'%{http_code}\' --max-time "$TIMEOUT" --retry "$RETRIES" \\',
  '  -X POST -H \'Content-Type: application/json\' --data "$PAYLOAD" "$URL")',
  'echo "POST $URL answered HTTP $code" >&2',
  '[ "$code" -ge 200 ] && [ "$code" -le 202 ]',
].join("\n");

export function convertWebhooks(canary: Source, base: Path, mode: Mode, taken: Set<string>): Hooks {
  const hooks: Hooks = {
    confirmRollout: undefined,
    confirmPromotion: undefined,
    preRollout: [],
    rollout: [],
    postRollout: [],
  };
  canary.list([...base, "webhooks"]).forEach((_, i) => {
    const at = [...base, "webhooks", i];
    canary.drop([...at, "muteAlert"], "ramp sends no alerts yet, so there is nothing to mute");
    classify(canary, at, mode, taken, hooks);
  });
  return hooks;
}

// Webhook types ramp has no place for, and what to do instead.
const NOT_CARRIED: Record<string, string> = {
  "confirm-traffic-increase":
    "ramp does not poll a URL before each weight increase: add `pause: {}` steps before the setWeight steps to gate by hand",
  rollback: "ramp does not poll a URL for a rollback: abort with `kubectl ramp abort`",
  event:
    "ramp records Kubernetes Events on the Rollout (and its conditions) instead of posting them: forward them with an event exporter",
};

function classify(canary: Source, at: Path, mode: Mode, taken: Set<string>, hooks: Hooks): void {
  const type = canary.str([...at, "type"]) || "rollout";
  const gate = (which: "confirmRollout" | "confirmPromotion", what: string) => {
    canary.use(at);
    hooks[which] = at;
    canary.note(
      at,
      `${type} webhook ${canary.str([...at, "name"]) ?? ""} becomes a pause ${what}: approve with ` +
        "`kubectl ramp promote` (ramp does not poll the URL)",
    );
  };
  if (!canary.str([...at, "url"]) && !type.startsWith("confirm-")) {
    canary.drop(at, "a webhook without a url: Flagger fails every call to it");
  } else if (type === "confirm-rollout" && mode === "bluegreen") {
    canary.drop(
      at,
      "ramp's blue-green has no gate before the preview starts: gate the switch instead " +
        "(a confirm-promotion webhook, autoPromotionEnabled: false), or hold it with `kubectl ramp pause`",
    );
  } else if (type === "confirm-rollout") {
    gate("confirmRollout", "before the first step");
  } else if (type === "confirm-promotion") {
    gate(
      "confirmPromotion",
      mode === "bluegreen" ? "before the switch (autoPromotionEnabled: false)" : "after the last step",
    );
  } else if (type === "pre-rollout") {
    hooks.preRollout.push(jobHook(canary, at, "Progressing", taken));
  } else if (type === "rollout") {
    hooks.rollout.push(jobHook(canary, at, "Progressing", taken));
  } else if (type === "post-rollout" && mode === "bluegreen") {
    hooks.postRollout.push(jobHook(canary, at, "Succeeded", taken));
  } else if (type === "post-rollout") {
    canary.drop(
      at,
      "ramp's canary has no step after promotion: run the call from your delivery pipeline once the " +
        "Rollout is Healthy (`kubectl ramp status --watch` exits then)",
    );
  } else {
    canary.drop(at, NOT_CARRIED[type] ?? `webhook type "${type}" is not one Flagger defines`);
  }
}

function jobHook(canary: Source, at: Path, phase: string, taken: Set<string>): Hook {
  canary.use(at);
  const flaggerName = canary.str([...at, "name"]) ?? "";
  const name = uniqueName(taken, metricName(flaggerName, `webhook-${at.at(-1)}`));
  const url = canary.str([...at, "url"]) ?? "";
  const timeoutText = canary.str([...at, "timeout"]) ?? "";
  // Flagger's default (and its reading of a timeout shorter than 2 characters) is 10s.
  const timeout = Math.max(
    1,
    Math.ceil((timeoutText.length < 2 ? 10_000 : (goDurationMs(timeoutText) ?? 10_000)) / 1000),
  );
  const retries = Math.max(0, Math.trunc(canary.num([...at, "retries"]) ?? 0));
  const payload = JSON.stringify({
    name: canary.name,
    namespace: "{{args.namespace}}",
    phase,
    checksum: "{{args.canary-hash}}",
    ...(stringMap(canary.get([...at, "metadata"]))
      ? { metadata: stringMap(canary.get([...at, "metadata"])) }
      : {}),
  });
  const env = [
    { name: "URL", value: url },
    { name: "PAYLOAD", value: payload },
    { name: "TIMEOUT", value: String(timeout) },
    { name: "RETRIES", value: String(retries) },
  ];
  const container = { name: "webhook", image: CURL_IMAGE, command: ["sh", "-ec", SCRIPT], env };
  const metric: Json = {
    name,
    provider: {
      job: {
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: (timeout + 30) * (retries + 1) + 30,
          template: { spec: { restartPolicy: "Never", containers: [container] } },
        },
      },
    },
  };
  return {
    metric,
    from: at,
    comment: `${dotted(at)} (${canary.where(at)}): ${canary.str([...at, "type"]) ?? "rollout"} webhook ${flaggerName}, POSTed by a Job (${CURL_IMAGE})`,
  };
}
