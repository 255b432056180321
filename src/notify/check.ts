// Whether a Notifier can work as written: its Secrets readable, its URLs absolute http(s), its address not
// refused by the policy web analysis obeys. The answer becomes the Notifier's Ready condition.
import { isIP } from "node:net";
import { refusedBy, type WebPolicy } from "../analysis/providers/web-policy.ts";
import type { ErrorCode } from "../errors.ts";
import type { AnyRef, NotifierSpecAny } from "./request.ts";
import { SLACK_API } from "./request.ts";

export type Verdict = { ok: true; message: string } | { ok: false; code: ErrorCode; message: string };

/** Every Secret the spec names, with the field that names it. */
function secretRefs(spec: NotifierSpecAny): [string, AnyRef][] {
  const refs: [string, AnyRef | undefined][] = [
    ["spec.slack.webhookURL", spec.slack?.webhookURL],
    ["spec.slack.token", spec.slack?.token],
    ["spec.msteams.webhookURL", spec.msteams?.webhookURL],
    ["spec.webhook.urlFrom", spec.webhook?.urlFrom],
    ...(spec.webhook?.headers ?? []).map(
      (h, i) =>
        [`spec.webhook.headers[${i}].valueFrom.secretKeyRef`, h.valueFrom?.secretKeyRef] as [
          string,
          AnyRef | undefined,
        ],
    ),
  ];
  return refs.filter((r): r is [string, AnyRef] => r[1] !== undefined);
}

export async function checkNotifier(
  spec: NotifierSpecAny,
  opts: { namespace?: string | undefined; policy: WebPolicy; secret: (ref: AnyRef) => Promise<string> },
): Promise<Verdict> {
  const values = new Map<string, string>();
  for (const [field, ref] of secretRefs(spec)) {
    const ns = ref.namespace ?? opts.namespace ?? "";
    try {
      values.set(field, (await opts.secret(ref)).trim());
    } catch (err) {
      return {
        ok: false,
        code: "NotifierSecretMissing",
        message: `${field}: ${(err as Error).message}; create it: kubectl create secret generic ${ref.name} -n ${ns} --from-literal=${ref.key}=…`,
      };
    }
  }
  const urls: [string, string | undefined, boolean][] = [
    ["spec.slack.webhookURL", values.get("spec.slack.webhookURL"), true],
    ["spec.slack.apiURL", spec.slack?.token ? (spec.slack.apiURL ?? SLACK_API) : undefined, false],
    ["spec.msteams.webhookURL", values.get("spec.msteams.webhookURL"), true],
    ["spec.webhook.url", spec.webhook?.url, false],
    ["spec.webhook.urlFrom", values.get("spec.webhook.urlFrom"), true],
  ];
  for (const [field, text, secret] of urls) {
    if (text === undefined) continue;
    // A URL from a Secret is a credential: the message names where it is, never what it says.
    const what = secret ? `the Secret value ${field} names` : `"${text}"`;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return {
        ok: false,
        code: "NotifierInvalidURL",
        message: `${field}: ${what} is not a URL; want https://…`,
      };
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      return { ok: false, code: "NotifierInvalidURL", message: `${field}: ${what} is not an http(s) URL` };
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const rule = refusedBy(opts.policy, host, isIP(host) ? host : undefined, port);
    if (rule)
      return {
        ok: false,
        code: "NotifierDenied",
        message: `${field}: ${url.origin} is refused by ${rule.source === "default" ? "the default deny entry" : rule.source} "${rule.entry}"; point it elsewhere or have the operator allow it with --web-analysis-allow`,
      };
  }
  return {
    ok: true,
    message: "destination configured; every address is checked again when a message is sent",
  };
}
