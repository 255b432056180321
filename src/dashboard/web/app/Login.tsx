// In-cluster sign-in: a Kubernetes bearer token, checked by the server with a TokenReview.
import { useState } from "preact/hooks";
import { login } from "./api.ts";

export function Login(props: { onDone: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    login(token.trim()).then(
      () => {
        setToken("");
        props.onDone();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };
  return (
    <form class="login card" data-testid="login" onSubmit={submit}>
      <h1>Sign in</h1>
      <p class="muted">
        Paste a Kubernetes bearer token (e.g. <code>kubectl create token NAME</code>). What you may see and do
        is what RBAC grants that identity.
      </p>
      <label>
        Token
        <input
          type="password"
          name="token"
          autocomplete="off"
          data-testid="login-token"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy || token.trim() === ""} data-testid="login-submit">
        Sign in
      </button>
      {error && <p class="error">{error}</p>}
    </form>
  );
}
