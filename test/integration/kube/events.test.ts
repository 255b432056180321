import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CoreV1Event, V1ConfigMap } from "@kubernetes/client-node";
import { createTestNamespace, deleteTestNamespace, loadKubeConfig, waitFor } from "../../../dev/kube.ts";
import { EventRecorder } from "../../../src/kube/events.ts";
import { clientsFor, counterValue } from "./support.ts";

describe("EventRecorder against the real apiserver", () => {
  const kc = loadKubeConfig();
  const { clients, metrics } = clientsFor(kc);
  let ns = "";
  let subject: V1ConfigMap;

  before(async () => {
    ns = await createTestNamespace("kube-events", kc);
    subject = await clients.request<V1ConfigMap>("POST", `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: "subject" },
    });
  });
  after(async () => {
    await deleteTestNamespace(ns, { wait: false, kc });
    await clients.close();
  });

  const eventsAbout = async (reason: string): Promise<CoreV1Event[]> => {
    const list = await clients.list(`/api/v1/namespaces/${ns}/events`, {
      fieldSelector: `involvedObject.name=subject,reason=${reason}`,
    });
    return list.items as CoreV1Event[];
  };

  test("writes an Event linked to the object, and a repeat increments its count", async () => {
    const recorder = new EventRecorder({ clients, identity: "ramp-test-0", metrics });
    await recorder.warning(subject, "AnalysisFailed", "error rate 7% > 5%");
    const [event] = await waitFor(
      async () => {
        const items = await eventsAbout("AnalysisFailed");
        return items.length === 1 ? items : undefined;
      },
      { what: "the Event" },
    );
    assert.ok(event);
    assert.equal(event.type, "Warning");
    assert.equal(event.message, "error rate 7% > 5%");
    assert.equal(event.count, 1);
    assert.deepEqual(
      {
        kind: event.involvedObject.kind,
        name: event.involvedObject.name,
        namespace: event.involvedObject.namespace,
        uid: event.involvedObject.uid,
      },
      { kind: "ConfigMap", name: "subject", namespace: ns, uid: subject.metadata?.uid },
    );
    assert.equal(event.source?.component, "ramp-controller");
    assert.equal(event.reportingComponent, "ramp-controller");
    assert.equal(event.reportingInstance, "ramp-test-0");
    assert.ok(event.firstTimestamp);

    await recorder.warning(subject, "AnalysisFailed", "error rate 7% > 5%");
    await recorder.warning(subject, "AnalysisFailed", "error rate 7% > 5%");
    const items = await eventsAbout("AnalysisFailed");
    assert.equal(items.length, 1, "repeats are aggregated into one Event");
    assert.equal(items[0]?.count, 3);
    assert.equal(items[0]?.metadata?.name, event.metadata?.name);

    await recorder.normal(subject, "AnalysisFailed", "another message");
    assert.equal((await eventsAbout("AnalysisFailed")).length, 2, "a different message is its own Event");
    assert.equal(
      await counterValue(metrics.kube.requests, { verb: "create", resource: "events", code: "201" }),
      2,
    );
    assert.equal(
      await counterValue(metrics.kube.requests, { verb: "patch", resource: "events", code: "200" }),
      2,
    );
  });

  test("never throws when the apiserver refuses the Event; counts the failure", async () => {
    const recorder = new EventRecorder({ clients, identity: "ramp-test-0", metrics });
    const ghost = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "ghost", namespace: "no-such-namespace-x" },
    };
    await recorder.normal(ghost, "Orphan", "nobody will see this");
    assert.equal(await counterValue(metrics.kube.eventWriteFailures, { reason: "Orphan" }), 1);
  });
});
