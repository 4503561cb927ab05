/** A real link (href = the route's hash) whose click goes through the nav store, so Back stays in the app. */
import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { useNav } from '../api/app-context.js';
import { formatHash, type Route } from '../stores/routes.js';

type Props = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: Route };

export function RouteLink({ to, onClick, ...rest }: Props) {
  const navigate = useNav((s) => s.navigate);
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={formatHash(to)} onClick={follow} {...rest} />;
}
