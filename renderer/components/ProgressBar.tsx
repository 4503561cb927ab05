/**
 * A progress bar people and tests can read: role="progressbar" with aria-valuenow/max when the
 * total is known, indeterminate (no value) when it is not. The fill is sized through the style
 * prop (CSSOM), which the page's CSP allows.
 */
export function ProgressBar({ label, value, max }: { label: string; value: number; max: number | null }) {
  const known = max !== null && max > 0;
  const ratio = known ? Math.min(1, value / max) : 0;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={known ? 0 : undefined}
      aria-valuenow={known ? Math.min(value, max) : undefined}
      aria-valuemax={known ? max : undefined}
      className={`progress${known ? '' : ' progress-indeterminate'}`}
    >
      <div className="progress-fill" style={known ? { width: `${(ratio * 100).toFixed(1)}%` } : undefined} />
    </div>
  );
}

/** A checklist's done/total as a tiny bar beside its text; decorative, the text carries the meaning. */
export function MiniMeter({ done, total }: { done: number; total: number }) {
  const ratio = total > 0 ? done / total : 0;
  return (
    <span className="mini-meter" aria-hidden="true">
      <span className="mini-meter-fill" style={{ width: `${Math.round(ratio * 100)}%` }} />
    </span>
  );
}
