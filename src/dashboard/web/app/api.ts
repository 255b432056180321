// The browser's side of the contract: JSON requests with the CSRF header, and Server-Sent Event streams.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ActionAnswer, ApiError, DashboardAction, Me } from "../../contract.ts";
import { API } from "../../contract.ts";

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function errorOf(res: Response): Promise<HttpError> {
  let text = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as Partial<ApiError>;
    if (typeof body.error === "string") text = body.error;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new HttpError(res.status, text);
}

export async function fetchMe(): Promise<Me> {
  const res = await fetch(API.me, { credentials: "same-origin", headers: { accept: "application/json" } });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Me;
}

export async function login(token: string): Promise<void> {
  const res = await fetch(API.login, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (!res.ok) throw await errorOf(res);
}

export async function logout(csrfToken: string): Promise<void> {
  const res = await fetch(API.logout, {
    method: "POST",
    credentials: "same-origin",
    headers: { "x-csrf-token": csrfToken },
  });
  if (!res.ok) throw await errorOf(res);
}

export async function runAction(
  ns: string,
  name: string,
  action: DashboardAction,
  csrfToken: string,
  reason?: string,
): Promise<ActionAnswer> {
  // The server reads an optional {reason} for abort (src/dashboard/server/actions.ts ActionBody).
  const body = reason ? JSON.stringify({ reason }) : undefined;
  const res = await fetch(API.action(ns, name, action), {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "X-CSRF-Token": csrfToken,
      accept: "application/json",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as ActionAnswer;
}

export type StreamState = "connecting" | "open" | "reconnecting" | "closed";
const EVENT_NAMES = ["snapshot", "upsert", "delete"] as const;

/**
 * Subscribe to a Server-Sent Events stream whose events are `snapshot`/`upsert`/`delete`, each `data:`
 * one JSON value. The browser reconnects by itself, and the server sends a fresh snapshot then.
 */
export function useStream<E>(url: string, onEvent: (event: E) => void): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    setState("connecting");
    const source = new EventSource(url, { withCredentials: true });
    const listen = (e: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(e.data) as E);
      } catch (err) {
        console.error("bad stream event", err);
      }
    };
    for (const name of EVENT_NAMES) source.addEventListener(name, listen);
    source.onopen = () => setState("open");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
    return () => source.close();
  }, [url]);
  return state;
}
