// The top bar: the product name (back to the overview), who is signed in and in which mode.
import type { Me } from "../../contract.ts";
import { logout } from "./api.ts";
import { Link } from "./router.tsx";

export function Header(props: { me: Me | undefined; onLogout: () => void }) {
  const { me } = props;
  const signOut = () => {
    if (me) logout(me.csrfToken).then(props.onLogout, props.onLogout);
  };
  return (
    <header class="top">
      <Link href="/" class="brand">
        ramp
      </Link>
      {me && (
        <span class="who">
          <span data-testid="user" title={me.groups.join(", ")}>
            {me.user}
          </span>
          <span class={`mode mode-${me.mode}`}>{me.mode === "local" ? "local" : "in-cluster"}</span>
          {me.mode === "cluster" && (
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          )}
        </span>
      )}
    </header>
  );
}
