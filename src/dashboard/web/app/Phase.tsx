// A phase as a colour and a word (the word carries the meaning; the colour only helps).
export function Phase(props: { phase: string }) {
  return (
    <span class={`phase phase-${props.phase.toLowerCase()}`} data-testid="phase">
      {props.phase}
    </span>
  );
}
