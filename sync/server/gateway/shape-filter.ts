/**
 * What a user's shape request becomes upstream: the authorization filter derived from the same
 * rule set as the RLS policies (every active member reads the rows of their organization: the
 * table's scope column equals the organization id), ANDed in front of the client's own where-clause,
 * which may only narrow it. Secret columns are never selectable; the column list is always explicit.
 */
import { parseColumnList, quoteIdent } from '../shape-service/protocol/identifiers.js';
import type { TableInfo } from '../shape-service/types.js';
import { HttpError } from './http-utils.js';
import { validateWhere } from '../shape-service/where/validate-where.js';
import { publicColumnNames, type TableDef } from '../../../shared/schema/table.js';

export type UpstreamShape = { where: string; params: string[]; columns: string[] };

/** A shape request the gateway refuses; answered as `{error: {code, message}}` with its status. */
export class ShapeRequestError extends HttpError {}

/** Client-supplied `params[n]` values in order (1..n contiguous), or an error. */
export function clientParams(query: URLSearchParams): string[] {
  const entries = [...query.entries()].filter(([k]) => k.startsWith('params['));
  const byIndex = new Map<number, string>();
  for (const [k, v] of entries) {
    const m = /^params\[(\d+)\]$/.exec(k);
    if (!m)
      throw new ShapeRequestError(400, 'bad_params', `Unexpected parameter key ${k}; use params[1], params[2], …`);
    byIndex.set(Number(m[1]), v);
  }
  const out: string[] = [];
  for (let i = 1; i <= byIndex.size; i++) {
    const v = byIndex.get(i);
    if (v === undefined)
      throw new ShapeRequestError(400, 'bad_params', 'params must be numbered 1, 2, 3 … without gaps');
    out.push(v);
  }
  return out;
}

export function authorizeShape(
  def: TableDef,
  table: TableInfo,
  organizationId: string,
  query: URLSearchParams,
  maxWhereLength = 4_000,
): UpstreamShape {
  const visible = publicColumnNames(def);
  let columns = visible;
  const requested = query.get('columns');
  if (requested !== null) {
    const parsed = parseColumnList(requested);
    if (!parsed.ok) throw new ShapeRequestError(400, 'bad_columns', parsed.error);
    const hidden = parsed.value.filter((c) => !visible.includes(c));
    if (hidden.length) {
      throw new ShapeRequestError(403, 'column_not_allowed', `These columns cannot be synced: ${hidden.join(', ')}`);
    }
    const pk = def.columns.id ? ['id'] : [];
    columns = [...new Set([...pk, ...parsed.value])];
  }

  const params = clientParams(query);
  const clientWhere = query.get('where');
  const scope = `${quoteIdent(def.scope)} = $${params.length + 1}`;
  if (clientWhere === null || clientWhere.trim() === '') {
    if (params.length) throw new ShapeRequestError(400, 'bad_params', 'params were given without a where clause');
    return { where: `${quoteIdent(def.scope)} = $1`, params: [organizationId], columns };
  }
  // Validate the client's clause on its own first: it must be one complete boolean expression,
  // so no parenthesis trick can escape the AND below.
  const v = validateWhere(clientWhere, params, table, { maxLength: maxWhereLength });
  if (!v.ok) throw new ShapeRequestError(400, 'bad_where', v.message);
  const hiddenRefs = v.referencedColumns.filter((c) => !visible.includes(c));
  if (hiddenRefs.length)
    throw new ShapeRequestError(403, 'column_not_allowed', `The where clause may not read: ${hiddenRefs.join(', ')}`);
  return { where: `${scope} and (\n${clientWhere}\n)`, params: [...params, organizationId], columns };
}
