/** sync:status and sync:retry. */
import type { Handlers } from '../../../shared/api/contract.js';
import type { HandlerContext } from './context.js';

export function syncHandlers(ctx: HandlerContext): Pick<Handlers, 'sync:status' | 'sync:retry'> {
  return {
    'sync:status': () => ctx.overview(),
    'sync:retry': async () => {
      await ctx.session.requireWorkspace().retry();
      return null;
    },
  };
}
