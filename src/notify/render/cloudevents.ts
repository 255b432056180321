// Any HTTP receiver: each notification as a CloudEvents 1.0 structured-mode message, made by the official SDK.
import { createRequire } from "node:module";
import type { CloudEvent } from "cloudevents";
import type { Notification, Rendered, Template } from "../message.ts";
import { compose } from "./template.ts";

// The SDK (with ajv, uuid and bignumber.js) loads with the first CloudEvent, not with the controller:
// few installations use this destination (docs/adr/0017-lazy-modules-and-v8-flags.md). It is CommonJS,
// so require() loads it synchronously.
let loaded: typeof import("cloudevents") | undefined;
const sdk = () => {
  loaded ??= createRequire(import.meta.url)("cloudevents") as typeof import("cloudevents");
  return loaded;
};

/** The event's data: the notification, and the headline and text a person would read. */
export type EventData = Notification & { title: string; text: string };

/** `dev.ramp.rollout.<event lower-cased>`, as the Notifier CRD documents. */
export function eventType(n: Notification): string {
  return `dev.ramp.rollout.${n.event.toLowerCase()}`;
}

/** The Rollout's API path, so a receiver can tell two Rollouts of the same name apart. */
export function eventSource(n: Notification): string {
  return `/apis/ramp.dev/v1alpha1/namespaces/${n.rollout.namespace}/rollouts/${n.rollout.name}`;
}

/** The event itself; the SDK validates it (it throws on a bad id, time or source). */
export function cloudEvent(n: Notification, template?: Template): CloudEvent<EventData> {
  return new (sdk().CloudEvent)<EventData>({
    specversion: "1.0",
    id: n.id,
    type: eventType(n),
    source: eventSource(n),
    subject: n.rollout.name,
    time: n.at,
    datacontenttype: "application/json",
    data: { ...defined(n), ...compose(n, template) },
  });
}

/** Structured mode: the whole event is the JSON body, content type application/cloudevents+json. */
export function renderCloudEvent(n: Notification, template?: Template): Rendered {
  const message = sdk().HTTP.structured(cloudEvent(n, template));
  const headers: Record<string, string> = {};
  let contentType = "application/cloudevents+json; charset=utf-8";
  for (const [k, v] of Object.entries(message.headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(", ") : v;
    if (k.toLowerCase() === "content-type") contentType = value;
    else headers[k] = value;
  }
  const body = typeof message.body === "string" ? message.body : JSON.stringify(message.body);
  return Object.keys(headers).length > 0 ? { contentType, body, headers } : { contentType, body };
}

/** Drops undefined fields so the JSON carries only what is known. */
function defined(n: Notification): Notification {
  return JSON.parse(JSON.stringify(n)) as Notification;
}
