// Whether the live stream is connected; shown only when it is not.
import type { StreamState } from "./api.ts";

export function StreamStatus(props: { state: StreamState }) {
  if (props.state === "open")
    return (
      <span class="live" title="live updates from the cluster">
        live
      </span>
    );
  const text =
    props.state === "connecting"
      ? "connecting…"
      : props.state === "reconnecting"
        ? "connection lost, reconnecting…"
        : "disconnected: reload the page";
  return (
    <span class="stream-status" role="status">
      {text}
    </span>
  );
}
