/** app:info and settings:*. */
import type { Handlers } from '../../../shared/api/contract.js';
import type { HandlerContext } from './context.js';

export function appHandlers(ctx: HandlerContext): Pick<Handlers, 'app:info' | 'settings:get' | 'settings:update'> {
  return {
    'app:info': () => ({ version: ctx.version, mode: ctx.mode, platform: process.platform }),
    'settings:get': () => ctx.settings.get(),
    'settings:update': (change) => {
      if (ctx.settings.update(change)) ctx.emit('settings:changed', ctx.settings.get());
      return ctx.settings.get();
    },
  };
}
