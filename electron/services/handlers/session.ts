/** session:* (sign-in is the one call that needs the network). */
import type { Handlers } from '../../../shared/api/contract.js';
import type { HandlerContext } from './context.js';

export function sessionHandlers(
  ctx: HandlerContext,
): Pick<Handlers, 'session:get' | 'session:sign-in' | 'session:sign-out'> {
  return {
    'session:get': () => ctx.session.state,
    'session:sign-in': async ({ serverUrl, email, password }) => {
      const state = await ctx.session.signIn(serverUrl, email, password);
      // The server that worked becomes the configured one.
      if (state.status === 'signed-in' && ctx.settings.update({ serverUrl: state.serverUrl }))
        ctx.emit('settings:changed', ctx.settings.get());
      return state;
    },
    'session:sign-out': () => ctx.session.signOut(),
  };
}
