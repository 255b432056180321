// The plugin's actions as buttons. Each asks first, saying what will happen; the server (through the
// apiserver's SubjectAccessReview) decides, and a button the viewer may not use says why it is disabled.
import { useCallback, useState } from "preact/hooks";
import type { DashboardAction, Me, RolloutDetail } from "../../../contract.ts";
import { DASHBOARD_ACTIONS } from "../../../contract.ts";
import { runAction } from "../api.ts";
import { ACTION_LABELS, describeAction } from "../lib/actions.ts";
import { ConfirmDialog } from "./ConfirmDialog.tsx";

type Result = { ok: boolean; text: string };

export function Actions(props: { d: RolloutDetail; me: Me }) {
  const { d, me } = props;
  const [asking, setAsking] = useState<{ action: DashboardAction; text: string }>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result>();
  const cancel = useCallback(() => setAsking(undefined), []);

  const send = (reason: string) => {
    if (!asking) return;
    const { action } = asking;
    setAsking(undefined);
    setBusy(true);
    setResult(undefined);
    runAction(d.namespace, d.name, action, me.csrfToken, reason || undefined)
      .then(
        (answer) => setResult({ ok: true, text: answer.message }),
        (err: unknown) => setResult({ ok: false, text: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => setBusy(false));
  };

  return (
    <section class="card" data-testid="actions">
      <h2>Actions</h2>
      <div class="actions">
        {DASHBOARD_ACTIONS.map((a) => {
          const p = d.actions[a];
          const allowed = p.allowed;
          return (
            <div key={a} class="action">
              <button
                type="button"
                data-testid={`action-${a}`}
                class={a === "abort" ? "danger" : ""}
                disabled={!allowed || busy}
                title={allowed ? describeAction(d, a) : (p.reason ?? "not allowed")}
                onClick={() => setAsking({ action: a, text: describeAction(d, a) })}
              >
                {ACTION_LABELS[a]}
              </button>
              {!allowed && (
                <span class="reason" data-testid={`action-${a}-reason`}>
                  {p.reason ?? "not allowed"}
                </span>
              )}
            </div>
          );
        })}
      </div>
      {busy && <p class="muted">Sending…</p>}
      {result && (
        <p class={result.ok ? "result ok" : "result error"} data-testid="action-result" role="status">
          {result.text}
        </p>
      )}
      {asking && (
        <ConfirmDialog
          title={ACTION_LABELS[asking.action]}
          text={asking.text}
          onOk={send}
          onCancel={cancel}
        />
      )}
    </section>
  );
}
