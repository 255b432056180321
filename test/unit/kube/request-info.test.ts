import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeRequest } from "../../../src/kube/request-info.ts";

describe("describeRequest", () => {
  const cases: [method: string, url: string, verb: string, resource: string][] = [
    ["GET", "https://h:6443/api/v1/namespaces/ns/pods/p", "get", "pods"],
    ["GET", "/api/v1/namespaces/ns/pods", "list", "pods"],
    ["GET", "/api/v1/pods?limit=500", "list", "pods"],
    ["GET", "/api/v1/namespaces/ns/pods?watch=true&resourceVersion=5", "watch", "pods"],
    ["GET", "/api/v1/watch/namespaces/ns/pods", "watch", "pods"],
    ["POST", "/apis/apps/v1/namespaces/ns/replicasets", "create", "replicasets"],
    ["PUT", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l", "update", "leases"],
    ["PATCH", "/apis/ramp.dev/v1alpha1/namespaces/ns/rollouts/r/status", "patch", "rollouts/status"],
    ["PATCH", "/apis/apps/v1/namespaces/ns/replicasets/rs/scale", "patch", "replicasets/scale"],
    ["DELETE", "/api/v1/namespaces/ns/services/s", "delete", "services"],
    ["DELETE", "/api/v1/namespaces/ns/events", "deletecollection", "events"],
    ["GET", "/api/v1/namespaces/ns", "get", "namespaces"],
    ["GET", "/api/v1/namespaces", "list", "namespaces"],
    ["PUT", "/api/v1/namespaces/ns/status", "update", "namespaces/status"],
    ["PUT", "/api/v1/namespaces/ns/finalize", "update", "namespaces/finalize"],
    ["GET", "/apis/ramp.dev/v1alpha1/rollouts", "list", "rollouts"],
    ["GET", "/apis/apps/v1", "get", "discovery"],
    ["GET", "/api", "get", "discovery"],
    ["GET", "/version", "get", "nonresource"],
  ];
  for (const [method, url, verb, resource] of cases) {
    test(`${method} ${url}`, () => {
      assert.deepEqual(describeRequest(method, url), { verb, resource });
    });
  }
});
