// Who the viewer is decides what is shown: a login form on 401 (in-cluster), else the routed page.

import { useCallback, useEffect, useState } from "preact/hooks";
import type { Me } from "../../contract.ts";
import { fetchMe, HttpError } from "./api.ts";
import { Header } from "./Header.tsx";
import { Login } from "./Login.tsx";
import { Overview } from "./overview/Overview.tsx";
import { RolloutPage } from "./rollout/RolloutPage.tsx";
import { Link, useRoute } from "./router.tsx";

type MeState =
  | { kind: "loading" }
  | { kind: "ok"; me: Me }
  | { kind: "login" }
  | { kind: "error"; message: string };

export function App() {
  const [me, setMe] = useState<MeState>({ kind: "loading" });
  const route = useRoute();
  const load = useCallback(() => {
    fetchMe().then(
      (m) => setMe({ kind: "ok", me: m }),
      (err: unknown) =>
        setMe(
          err instanceof HttpError && err.status === 401
            ? { kind: "login" }
            : { kind: "error", message: err instanceof Error ? err.message : String(err) },
        ),
    );
  }, []);
  useEffect(load, [load]);

  let body = null;
  if (me.kind === "loading") body = <p class="muted">Loading…</p>;
  else if (me.kind === "login") body = <Login onDone={load} />;
  else if (me.kind === "error") body = <p class="error">Cannot reach the dashboard's server: {me.message}</p>;
  else if (route.page === "overview") body = <Overview />;
  else if (route.page === "rollout")
    body = <RolloutPage key={`${route.namespace}/${route.name}`} {...route} me={me.me} />;
  else
    body = (
      <p>
        No page at {route.path}. <Link href="/">Back to the overview</Link>
      </p>
    );

  return (
    <>
      <Header me={me.kind === "ok" ? me.me : undefined} onLogout={() => setMe({ kind: "login" })} />
      <main>{body}</main>
    </>
  );
}
