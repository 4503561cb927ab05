/** Errors in role="alert" (announced at once); quieter notices in role="status". */
import type { ReactNode } from 'react';

type Action = { label: string; onClick: () => void };

export function ErrorAlert({ children, action }: { children: ReactNode; action?: Action }) {
  return (
    <div role="alert" className="alert alert-error">
      <span className="alert-text">{children}</span>
      {action && (
        <button type="button" className="button-quiet button-small" onClick={action.onClick}>
          {action.label}
        </button>
      )}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'warning' | 'success' }) {
  return (
    <div role="status" className={`alert alert-${tone}`}>
      <span className="alert-text">{children}</span>
    </div>
  );
}
