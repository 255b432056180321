// A modal confirmation: says what will happen, sends nothing until OK. Escape or Cancel closes it.
import { useEffect, useRef } from "preact/hooks";

export function ConfirmDialog(props: {
  title: string;
  text: string;
  onOk: () => void;
  onCancel: () => void;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
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
        <div class="buttons">
          <button type="button" ref={cancel} data-testid="confirm-cancel" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class="primary" data-testid="confirm-ok" onClick={props.onOk}>
            {props.title}
          </button>
        </div>
      </div>
    </div>
  );
}
