/** A screen's <h1>. It takes focus when the screen opens (unless told not to), so keyboard and screen-reader users land on it. */
import { useEffect, useRef, type ReactNode } from 'react';

export function ScreenHeading({ children, id, focus = true }: { children: ReactNode; id?: string; focus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus({ preventScroll: true });
  }, [focus]);
  return (
    <h1 ref={ref} id={id} tabIndex={-1} className="screen-title">
      {children}
    </h1>
  );
}
