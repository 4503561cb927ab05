/**
 * Parses a where clause the way Electric does: as `SELECT 1 WHERE <where>`, accepting only a single
 * statement that has nothing but that WHERE.
 */
import type { Node, SelectStmt } from 'libpg-query';
import { parseSql } from './pg-parser.js';
import { WherePositions } from './where-positions.js';

/** What the where text is parsed inside; syntax error positions count from its start. */
export const WHERE_PREFIX = 'SELECT 1 WHERE ';

/**
 * The longest where text ever handed to the parser. The WASM parser recurses natively per nesting
 * level, and a chain like `1+1+…` of ~19 000 characters overflows its stack — which corrupts the
 * instance for the rest of the process (see pg-parser.ts). This keeps well below that.
 */
export const MAX_PARSED_WHERE_LENGTH = 12_000;

export type ParsedWhere =
  | { readonly ok: true; readonly expression: Node; readonly positions: WherePositions }
  | { readonly ok: false; readonly message: string };

/** The only SelectStmt fields `SELECT 1 WHERE x` produces; any other one means a clause followed the WHERE. */
const PLAIN_SELECT_FIELDS = new Set(['targetList', 'whereClause', 'limitOption', 'op']);

/**
 * Where a character the parser must not see is: NUL would end the text the C parser reads early,
 * and a lone surrogate has no UTF-8 form; either way the parser would check something other than
 * what the caller later sends to Postgres.
 */
function unparseableCharacterIndex(where: string): number | undefined {
  const indexes = [where.indexOf('\0'), where.search(/\p{Surrogate}/u)].filter((index) => index >= 0);
  return indexes.length ? Math.min(...indexes) : undefined;
}

function isBareWhere(select: SelectStmt): boolean {
  return (
    select.op === 'SETOP_NONE' &&
    select.limitOption === 'LIMIT_OPTION_DEFAULT' &&
    Object.keys(select).every((field) => PLAIN_SELECT_FIELDS.has(field))
  );
}

/** Parses `where`; errors carry Electric's messages. Throws only if the parser itself is unavailable. */
export function parseWhere(where: string): ParsedWhere {
  if (where.length > MAX_PARSED_WHERE_LENGTH) {
    return { ok: false, message: `WHERE clause is too long (maximum ${MAX_PARSED_WHERE_LENGTH} characters)` };
  }
  const bad = unparseableCharacterIndex(where);
  if (bad !== undefined)
    return { ok: false, message: `At location ${[...where.slice(0, bad)].length}: invalid character` };

  const sql = WHERE_PREFIX + where;
  const parsed = parseSql(sql);
  if (!parsed.ok) {
    const { message, position } = parsed;
    return { ok: false, message: position === undefined ? message : `At location ${position}: ${message}` };
  }

  const statements = parsed.result.stmts ?? [];
  const statement = statements[0];
  // libpg_query drops empty statements, so a trailing `;` leaves one statement whose length stops
  // at the `;` (the last statement of a text otherwise has no length).
  if (statements.length !== 1 || !statement || statement.stmt_len) {
    return { ok: false, message: 'unescaped ";" causing statement split' };
  }
  const select = statement.stmt && 'SelectStmt' in statement.stmt ? statement.stmt.SelectStmt : undefined;
  const expression = select && isBareWhere(select) ? select.whereClause : undefined;
  if (!expression) return { ok: false, message: 'malformed query ending with SQL clauses' };

  return { ok: true, expression, positions: new WherePositions(sql, WHERE_PREFIX.length) };
}
