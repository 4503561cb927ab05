/** properties:* and members:list. */
import type { Handlers } from '../../../shared/api/contract.js';
import { ApiError } from '../../../shared/api/result.js';
import { listMembers } from '../queries/people.js';
import { listProperties, propertyDetail } from '../queries/properties.js';
import type { HandlerContext } from './context.js';

export function propertyHandlers(
  ctx: HandlerContext,
): Pick<Handlers, 'properties:list' | 'properties:get' | 'members:list'> {
  const db = () => ctx.session.requireWorkspace().db;
  return {
    'properties:list': ({ search }) => listProperties(db(), search),
    'properties:get': ({ id }) => {
      const detail = propertyDetail(db(), id);
      if (!detail) throw new ApiError('not_found', 'This site is not on this computer: it may have been deleted.');
      return detail;
    },
    'members:list': () => listMembers(db()),
  };
}
