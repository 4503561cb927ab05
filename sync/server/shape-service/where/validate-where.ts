/**
 * Validates a shape's `where` parameter the way Electric does (protocol reference section 12):
 * Postgres's own parser, then an allow-list walk over the expression, then a boolean check.
 * Never throws: every refusal is `{ ok: false, message }`, ready for the 400 body's `errors.where`.
 *
 * Without a database there is no real type checking: the boolean check refuses what is certainly
 * not boolean (non-bool columns, numbers, strings, NULL, bare params, arithmetic, casts to other
 * types, non-boolean functions) and lets through what only Postgres can type (domains, subscripts
 * of parameters, COALESCE over parameters). Type mismatches inside the expression (`id = 'abc'`,
 * `title > 1`) and bad literals surface when Postgres runs the clause.
 */
import type { TableInfo } from '../types.js';
import { ExpressionChecker } from './check-expression.js';
import type { ComplexityLimits, ResultKind, WhereScope } from './check-expression.js';
import { parseWhere } from './parse-where.js';
import { WhereClauseError } from './where-error.js';

export { renumberParams, rewriteParams } from './renumber-params.js';

/**
 * The longest where text accepted whatever `maxLength` says: about half of what overflows the
 * parser's native stack, leaving renumbered clauses (whose numbers grow) room below the parser's
 * own limit, MAX_PARSED_WHERE_LENGTH.
 */
export const MAX_WHERE_LENGTH = 10_000;

export type WhereLimits = ComplexityLimits & {
  /** Characters (UTF-16 code units); capped at MAX_WHERE_LENGTH. */
  readonly maxLength: number;
};

export const DEFAULT_WHERE_LIMITS: WhereLimits = {
  maxLength: MAX_WHERE_LENGTH,
  maxNodes: 2_000,
  maxListItems: 1_000,
  maxDepth: 100,
};

export type ValidWhere = {
  readonly ok: true;
  /** The where text, unchanged. It may end in a `--` comment: embed it followed by a newline. */
  readonly where: string;
  /** Columns the clause reads, in table order. */
  readonly referencedColumns: string[];
  /** The `$n` numbers used, ascending; provided params that are not used are allowed (as in Electric). */
  readonly referencedParams: number[];
  /** The highest `$n` used, 0 for none. */
  readonly paramCount: number;
};

export type InvalidWhere = { readonly ok: false; readonly message: string };

export function validateWhere(
  where: string,
  params: readonly string[],
  table: TableInfo,
  opts: Partial<WhereLimits> = {},
): ValidWhere | InvalidWhere {
  const limits = { ...DEFAULT_WHERE_LIMITS, ...opts };
  const maxLength = Math.min(limits.maxLength, MAX_WHERE_LENGTH);
  // Before parsing, so that a huge text costs nothing.
  if (where.length > maxLength) {
    return { ok: false, message: `WHERE clause is too long (maximum ${maxLength} characters)` };
  }
  try {
    return checkWhere(where, params, table, limits);
  } catch {
    // The parser became unavailable, or a bug: refuse rather than let a clause through unchecked.
    return { ok: false, message: 'WHERE clause could not be validated' };
  }
}

function checkWhere(
  where: string,
  params: readonly string[],
  table: TableInfo,
  limits: ComplexityLimits,
): ValidWhere | InvalidWhere {
  const parsed = parseWhere(where);
  if (!parsed.ok) return parsed;
  const checker = new ExpressionChecker(scopeOf(table, params), limits);
  let kind: ResultKind;
  try {
    kind = checker.check(parsed.expression);
  } catch (error) {
    if (!(error instanceof WhereClauseError)) throw error;
    const { location, message } = error;
    const prefix = location === undefined ? '' : `At location ${parsed.positions.whereCharacter(location)}: `;
    return { ok: false, message: prefix + message };
  }
  // Like Electric, a literal, NULL or parameter on its own does not count as a boolean either.
  if (kind === 'non-boolean' || kind === 'untyped') return { ok: false, message: 'WHERE clause must return a boolean' };

  const referencedParams = [...checker.referencedParams].sort((a, b) => a - b);
  return {
    ok: true,
    where,
    referencedColumns: table.columns.map((c) => c.name).filter((name) => checker.referencedColumns.has(name)),
    referencedParams,
    paramCount: referencedParams.at(-1) ?? 0,
  };
}

function scopeOf(table: TableInfo, params: readonly string[]): WhereScope {
  return {
    columns: new Map(table.columns.map((column) => [column.name, column])),
    enumTypes: new Set(table.columns.filter((c) => c.typtype === 'e').map((c) => c.typname)),
    paramCount: params.length,
  };
}
