// A modal confirmation: says what will happen, sends nothing until OK. Escape or Cancel closes it.
import { useEffect, useRef, useState } from "preact/hooks";

export function ConfirmDialog(props: {
  title: string;
  text: string;
  /** Ask for an optional reason (abort), passed to onOk. */
  askReason?: boolean;
  onOk: (reason: string) => void;
  onCancel: () => void;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  const [reason, setReason] = useState("");
  const { onCancel } = props;
  useEffect(() => {
    cancel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onCancel();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onCancel]);
  return (
    <div class="overlay">
      <div
        class="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="confirm-dialog"
      >
        <h2 id="confirm-title">{props.title}</h2>
        <p data-testid="confirm-text">{props.text}</p>
        {props.askReason && (
          <label class="reason-input">
            Reason (optional, recorded with the abort)
            <input
              type="text"
              maxLength={1024}
              data-testid="confirm-reason"
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </label>
        )}
        <div class="buttons">
          <button type="button" ref={cancel} data-testid="confirm-cancel" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            class="primary"
            data-testid="confirm-ok"
            onClick={() => props.onOk(reason.trim())}
          >
            {props.title}
          </button>
        </div>
      </div>
    </div>
  );
}
