/** Every channel of the contract, one module per domain; a missing channel fails to compile. */
import type { Handlers } from '../../../shared/api/contract.js';
import { appHandlers } from './app.js';
import type { HandlerContext } from './context.js';
import { deviceHandlers } from './devices.js';
import { inboxHandlers } from './inbox.js';
import { propertyHandlers } from './properties.js';
import { sessionHandlers } from './session.js';
import { syncHandlers } from './sync.js';
import { taskHandlers } from './tasks.js';

export type { HandlerContext } from './context.js';

export function createHandlers(ctx: HandlerContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...sessionHandlers(ctx),
    ...syncHandlers(ctx),
    ...inboxHandlers(ctx),
    ...taskHandlers(ctx),
    ...deviceHandlers(ctx),
    ...propertyHandlers(ctx),
  };
}
