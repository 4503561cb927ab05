/**
 * A multi-select as a disclosure: a button that says what is chosen ("Type: 2 of 14"), opening a
 * fieldset of checkboxes. Escape or a click elsewhere closes it; the keyboard returns to the button.
 */
import { useEffect, useId, useRef, useState } from 'react';

export type CheckboxOption = { value: string; label: string; group?: string };

type Props = {
  /** The filter's name: the button reads "<label>: …", the fieldset's legend is `legend`. */
  label: string;
  legend: string;
  options: readonly CheckboxOption[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  disabled?: boolean;
};

export function CheckboxMenu({ label, legend, options, selected, onChange, disabled }: Props) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const chosen = new Set(selected);
  const summary =
    selected.length === 0
      ? 'All'
      : selected.length === 1
        ? (options.find((o) => o.value === selected[0])?.label ?? '1')
        : `${selected.length} of ${options.length}`;
  const toggle = (value: string, on: boolean) =>
    onChange(on ? [...selected.filter((v) => v !== value), value] : selected.filter((v) => v !== value));

  let lastGroup: string | undefined;
  return (
    <div
      ref={rootRef}
      className="checkbox-menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={selected.length ? 'filter-button filter-button-active' : 'filter-button'}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        disabled={disabled}
      >
        {label}: {summary} <span aria-hidden="true">▾</span>
      </button>
      <fieldset id={panelId} className="checkbox-menu-panel" hidden={!open}>
        <legend>{legend}</legend>
        <div className="checkbox-menu-options">
          {options.map((o) => {
            const heading = o.group && o.group !== lastGroup ? o.group : null;
            lastGroup = o.group;
            return (
              <div key={o.value}>
                {heading && <div className="checkbox-menu-group">{heading}</div>}
                <label className="checkbox-menu-option">
                  <input
                    type="checkbox"
                    checked={chosen.has(o.value)}
                    onChange={(e) => toggle(o.value, e.target.checked)}
                  />
                  {o.label}
                </label>
              </div>
            );
          })}
        </div>
        <div className="button-row">
          <button type="button" className="button-small" onClick={() => onChange([])} disabled={selected.length === 0}>
            Any {label.toLowerCase()}
          </button>
          <button
            type="button"
            className="button-small button-quiet"
            onClick={() => (setOpen(false), buttonRef.current?.focus())}
          >
            Done
          </button>
        </div>
      </fieldset>
    </div>
  );
}
