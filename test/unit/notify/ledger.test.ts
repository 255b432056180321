// The ledger a status write carries: what was owed, less the receipts, plus this write's transitions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_PENDING, type NotificationLedger, type PendingNotification } from "../../../src/api/index.ts";
import type { Transition } from "../../../src/notify/derive.ts";
import { nextLedger, receiptKey } from "../../../src/notify/ledger.ts";

const AT = "2026-12-07T21:14:05.000Z";
const SLACK = "Notifier/slack#deploys";
const TEAMS = "ClusterNotifier/teams";

const owed = (event: Transition["event"], to: string[], extra: Partial<Transition> = {}) => ({
  event,
  at: AT,
  version: "web=registry.example/web:v2",
  ...extra,
  to,
});
const entry = (seq: number, event: Transition["event"], to: string[]): PendingNotification => ({
  seq,
  ...owed(event, to),
});
const none = new Set<string>();

describe("ledger: what a status write carries", () => {
  test("each new event takes the next seq, after the persisted one, in the order found", () => {
    const persisted: NotificationLedger = { seq: 7 };
    const { ledger, overflow } = nextLedger(persisted, none, [
      owed("stepStarted", [SLACK]),
      owed("paused", [SLACK, TEAMS]),
    ]);
    assert.deepEqual(ledger, {
      seq: 9,
      pending: [entry(8, "stepStarted", [SLACK]), entry(9, "paused", [SLACK, TEAMS])],
    });
    assert.deepEqual(overflow, []);
  });

  test("the first event ever owed starts at seq 1", () => {
    assert.deepEqual(nextLedger(undefined, none, [owed("healthy", [TEAMS])]).ledger, {
      seq: 1,
      pending: [entry(1, "healthy", [TEAMS])],
    });
  });

  test("a receipt removes one recipient; the last receipt removes the entry, and seq stays", () => {
    const persisted: NotificationLedger = { seq: 3, pending: [entry(3, "aborted", [SLACK, TEAMS])] };
    const one = nextLedger(persisted, new Set([receiptKey(3, SLACK)]), []);
    assert.deepEqual(one.ledger, { seq: 3, pending: [entry(3, "aborted", [TEAMS])] });
    const both = nextLedger(one.ledger, new Set([receiptKey(3, SLACK), receiptKey(3, TEAMS)]), []);
    assert.deepEqual(both.ledger, { seq: 3 });
  });

  test("a receipt names seq and recipient: another entry to the same recipient stays owed", () => {
    const persisted: NotificationLedger = {
      seq: 5,
      pending: [entry(4, "stepStarted", [SLACK]), entry(5, "paused", [SLACK])],
    };
    assert.deepEqual(nextLedger(persisted, new Set([receiptKey(4, SLACK)]), []).ledger, {
      seq: 5,
      pending: [entry(5, "paused", [SLACK])],
    });
  });

  test("an entry no receipt touches is carried as it was", () => {
    const kept = entry(2, "paused", [SLACK]);
    const { ledger } = nextLedger({ seq: 2, pending: [kept] }, new Set([receiptKey(1, SLACK)]), []);
    assert.deepEqual(ledger, { seq: 2, pending: [kept] });
  });

  test("nothing ever owed: no ledger at all (the status write carries no notifications field)", () => {
    assert.deepEqual(nextLedger(undefined, none, []), { ledger: undefined, overflow: [] });
  });

  test("an event with no recipients is not recorded and takes no seq", () => {
    assert.deepEqual(nextLedger(undefined, none, [owed("stepStarted", [])]), {
      ledger: undefined,
      overflow: [],
    });
    const { ledger } = nextLedger({ seq: 4 }, none, [owed("stepStarted", []), owed("paused", [SLACK])]);
    assert.deepEqual(ledger, { seq: 5, pending: [entry(5, "paused", [SLACK])] });
  });

  test("persisted entries stay first, in their order; new ones follow", () => {
    const persisted: NotificationLedger = {
      seq: 12,
      pending: [
        entry(10, "stepStarted", [SLACK]),
        entry(11, "paused", [TEAMS]),
        entry(12, "aborted", [SLACK]),
      ],
    };
    const { ledger } = nextLedger(persisted, new Set([receiptKey(11, TEAMS)]), [owed("rolledBack", [TEAMS])]);
    assert.deepEqual(
      ledger?.pending?.map((e) => [e.seq, e.event]),
      [
        [10, "stepStarted"],
        [12, "aborted"],
        [13, "rolledBack"],
      ],
    );
  });

  test(`beyond MAX_PENDING (${MAX_PENDING}) the oldest are dropped and returned, seq keeps counting`, () => {
    const persisted: NotificationLedger = {
      seq: MAX_PENDING,
      pending: Array.from({ length: MAX_PENDING }, (_, i) => entry(i + 1, "stepStarted", [SLACK])),
    };
    const { ledger, overflow } = nextLedger(persisted, none, [
      owed("paused", [SLACK]),
      owed("aborted", [SLACK, TEAMS]),
    ]);
    assert.deepEqual(overflow, [entry(1, "stepStarted", [SLACK]), entry(2, "stepStarted", [SLACK])]);
    assert.equal(ledger?.seq, MAX_PENDING + 2);
    assert.equal(ledger?.pending?.length, MAX_PENDING);
    assert.deepEqual(
      ledger?.pending?.map((e) => e.seq),
      Array.from({ length: MAX_PENDING }, (_, i) => i + 3),
    );
    assert.deepEqual(ledger?.pending?.at(-1), entry(MAX_PENDING + 2, "aborted", [SLACK, TEAMS]));
  });

  test("receipts are applied before the bound: a delivered entry frees its place", () => {
    const persisted: NotificationLedger = {
      seq: MAX_PENDING,
      pending: Array.from({ length: MAX_PENDING }, (_, i) => entry(i + 1, "stepStarted", [SLACK])),
    };
    const { ledger, overflow } = nextLedger(persisted, new Set([receiptKey(5, SLACK)]), [
      owed("paused", [SLACK]),
    ]);
    assert.deepEqual(overflow, []);
    assert.equal(ledger?.pending?.length, MAX_PENDING);
    assert.ok(!ledger?.pending?.some((e) => e.seq === 5));
  });

  test("the fields of the transition ride along unchanged", () => {
    const t = owed("aborted", [TEAMS], {
      revision: 2,
      step: 3,
      steps: 4,
      weight: 0,
      reason: "AnalysisFailed",
      message: "error-rate = 0.07",
      by: "analysis run web-2-1",
    });
    const { ledger } = nextLedger(undefined, none, [t]);
    assert.deepEqual(ledger?.pending, [{ ...t, seq: 1 }]);
  });
});
