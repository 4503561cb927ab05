/** inbox:list and inbox:resolve: the conflict inbox (sync/client/local/conflict-inbox.ts) with labels. */
import type { Handlers } from '../../../shared/api/contract.js';
import { ApiError } from '../../../shared/api/result.js';
import { InboxChoiceError } from '../../../sync/client/local/conflict-inbox.js';
import { assertMayWrite } from '../access.js';
import { labelled } from '../queries/inbox-labels.js';
import type { HandlerContext } from './context.js';

export function inboxHandlers(ctx: HandlerContext): Pick<Handlers, 'inbox:list' | 'inbox:resolve'> {
  return {
    'inbox:list': () => {
      const ws = ctx.session.requireWorkspace();
      return ws.inbox.list().map((e) => labelled(ws.db, e));
    },
    'inbox:resolve': ({ mutationId, choice }) => {
      const ws = ctx.session.requireWorkspace();
      const entry = ws.inbox.list().find((e) => e.mutationId === mutationId);
      if (!entry)
        throw new ApiError('not_found', 'That inbox entry is not open any more (it may be resolved already).');
      let newId: string | null = null;
      try {
        if (choice === 'mine') {
          assertMayWrite(ws.me.role, entry.table, entry.op);
          newId = ws.inbox.keepMine(mutationId);
        } else if (choice === 'acknowledge') ws.inbox.acknowledge(mutationId);
        else ws.inbox.takeTheirs(mutationId);
      } catch (e) {
        // A way out the entry does not offer (keep mine on an overridden edit, acknowledge on a conflict).
        if (e instanceof InboxChoiceError) throw new ApiError('invalid', e.message);
        throw e;
      }
      ctx.emit('replica:changed', { tables: [entry.table] });
      ws.afterLocalWrite([entry.table]);
      return { mutationIds: newId ? [newId] : [] };
    },
  };
}
