/**
 * Validation of `GET /v1/shape` query parameters with Electric's field names, messages and
 * order of checks (protocol §3), so a client sees the same 400 bodies it would from Electric.
 *
 * How Electric reads a query, reproduced here:
 * - keys like `params[1]` are nested (`name[sub]`); when a key repeats, the last one wins;
 * - a blank (empty or whitespace-only) value counts as absent;
 * - `live` / `live_sse` are true for any value but the literal `false`;
 * - unknown parameters (`cursor`, `expired_handle`, `cache-buster`, …) are ignored;
 * - checks run in stages and a stage only runs when the earlier ones found nothing.
 *
 * Checks that need the database (table exists, columns exist, where is valid) are not here.
 */
import type { FieldErrors } from '../types.js';
import type { QualifiedName } from './identifiers.js';
import { parseColumnList, parseRelation } from './identifiers.js';
import type { RequestOffset } from './offset.js';
import { NOW, isBeforeAll, parseRequestOffset } from './offset.js';

export type ShapeRequest = {
  /** `table` as sent. */
  readonly table: string;
  /** `table` parsed: schema (default `public`) and name. */
  readonly relation: QualifiedName;
  readonly where?: string;
  /** `params[1]..params[n]` in order; empty when there is no `where` (Electric then ignores them). */
  readonly params: readonly string[];
  /** `columns` as sent. */
  readonly columns?: string;
  /** `columns` parsed, in the order sent. */
  readonly columnNames?: readonly string[];
  readonly replica: 'default' | 'full';
  readonly log: 'full' | 'changes_only';
  readonly offset: RequestOffset;
  /** Only kept when the offset is not `-1`/`now` (Electric ignores it there). */
  readonly handle?: string;
  readonly live: boolean;
  readonly liveSse: boolean;
  /** As sent, possibly empty: only an input to the next `electric-cursor`. */
  readonly cursor?: string;
};

export type ShapeRequestResult =
  { readonly ok: true; readonly value: ShapeRequest } | { readonly ok: false; readonly errors: FieldErrors };

const CANT_BE_BLANK = "can't be blank";
const IS_INVALID = 'is invalid';

/** A query value after nested-key decoding: a string, or structured (`name[...]` keys). */
type RawValue = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'nested' };

export function parseShapeRequest(query: URLSearchParams): ShapeRequestResult {
  const raw = readTopLevelValues(query);
  const errors: FieldErrors = {};
  const addError = (field: string, message: string) => (errors[field] ??= []).push(message);
  const isValid = () => Object.keys(errors).length === 0;

  // Stage 1, type casting: every field is checked, errors accumulate.
  const table = castString(raw, 'table', addError);
  const offsetText = castString(raw, 'offset', addError);
  const handle = castString(raw, 'handle', addError);
  const where = castString(raw, 'where', addError);
  const replica = castEnum(raw, 'replica', ['default', 'full'] as const, 'default', addError);
  const log = castEnum(raw, 'log', ['full', 'changes_only'] as const, 'full', addError);
  const columns = castString(raw, 'columns', addError);
  const columnNames = columns === undefined ? undefined : castColumns(columns, addError);
  const paramEntries = castParams(query, raw.get('params'), addError);
  const live = isTruthyFlag(raw.get('live'));
  const liveSse = raw.has('live_sse')
    ? isTruthyFlag(raw.get('live_sse'))
    : castBoolean(raw.get('experimental_live_sse'), 'live_sse', addError);

  // Stage 2: offset is required and well-formed.
  if (offsetText === undefined && !errors['offset']) addError('offset', CANT_BE_BLANK);
  if (!isValid() || offsetText === undefined) return { ok: false, errors };
  const offset = parseRequestOffset(offsetText);
  if (offset === undefined) return invalid('offset', 'has invalid format');

  // Stage 3: how handle and live combine with the offset.
  const startsFresh = offset === NOW || isBeforeAll(offset);
  if (!startsFresh && handle === undefined) return invalid('handle', "can't be blank when offset != -1");
  if (live && offset !== NOW && isBeforeAll(offset)) return invalid('live', "can't be true when offset == -1");
  if (live && offset === NOW) return invalid('live', "can't be true when offset is 'now'");
  if (liveSse && !live) return invalid('live_sse', "can't be true unless live is also true");

  // Stage 4: the shape definition.
  if (table === undefined) return invalid('table', CANT_BE_BLANK);
  const relation = parseRelation(table);
  if (!relation.ok) return invalid('table', relation.error);
  const params = where === undefined ? [] : orderParams(paramEntries ?? new Map());
  if (typeof params === 'string') return invalid('params', params);
  const cursor = raw.get('cursor');

  return {
    ok: true,
    value: {
      table,
      relation: relation.value,
      ...(where !== undefined && { where }),
      params,
      ...(columns !== undefined && columnNames !== undefined && { columns, columnNames }),
      replica,
      log,
      offset,
      ...(!startsFresh && { handle }),
      live,
      liveSse,
      ...(cursor?.kind === 'string' && { cursor: cursor.value }),
    },
  };
}

function invalid(field: string, message: string): ShapeRequestResult {
  return { ok: false, errors: { [field]: [message] } };
}

/**
 * The value of each top-level name as Electric's query decoder would see it: the last of
 * `name=…` / `name[…]=…` decides whether it is a string or nested.
 */
function readTopLevelValues(query: URLSearchParams): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (const [key, value] of query) {
    const bracket = key.indexOf('[');
    const nested = bracket > 0 && key.endsWith(']');
    values.set(nested ? key.slice(0, bracket) : key, nested ? { kind: 'nested' } : { kind: 'string', value });
  }
  return values;
}

type AddError = (field: string, message: string) => void;

/** A string field; blank values count as absent. */
function castString(raw: Map<string, RawValue>, field: string, addError: AddError): string | undefined {
  const value = raw.get(field);
  if (value === undefined) return undefined;
  if (value.kind === 'nested') {
    addError(field, IS_INVALID);
    return undefined;
  }
  return isBlank(value.value) ? undefined : value.value;
}

function castEnum<T extends string>(
  raw: Map<string, RawValue>,
  field: string,
  allowed: readonly T[],
  fallback: T,
  addError: AddError,
): T {
  const value = castString(raw, field, addError);
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) addError(field, IS_INVALID);
  return match ?? fallback;
}

function castColumns(columns: string, addError: AddError): string[] | undefined {
  const parsed = parseColumnList(columns);
  if (parsed.ok) return parsed.value;
  addError('columns', parsed.error);
  return undefined;
}

/** `live` and `live_sse`: absent is false, anything but the literal `false` is true. */
function isTruthyFlag(value: RawValue | undefined): boolean {
  return value !== undefined && !(value.kind === 'string' && value.value === 'false');
}

/**
 * The deprecated `experimental_live_sse`, read only when `live_sse` is absent. Electric passes it
 * through a strict boolean cast (`true`/`1`/`false`/`0`), unlike `live_sse` itself.
 */
function castBoolean(value: RawValue | undefined, field: string, addError: AddError): boolean {
  if (value === undefined || (value.kind === 'string' && isBlank(value.value))) return false;
  if (value.kind === 'string' && (value.value === 'true' || value.value === '1')) return true;
  if (value.kind === 'string' && (value.value === 'false' || value.value === '0')) return false;
  addError(field, IS_INVALID);
  return false;
}

/**
 * `params[k]=v` entries. Electric accepts only a map of strings here: a plain non-blank
 * `params=…` (JSON included: that form exists only for `subset__params`), `params[]=…` and
 * deeper nesting are invalid.
 */
function castParams(
  query: URLSearchParams,
  value: RawValue | undefined,
  addError: AddError,
): Map<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'string') {
    if (!isBlank(value.value)) addError('params', IS_INVALID);
    return undefined;
  }
  const entries = new Map<string, string>();
  for (const [key, entry] of query) {
    if (!key.startsWith('params[') || !key.endsWith(']')) continue;
    const name = key.slice('params['.length, -1);
    if (name === '' || name.includes('[') || name.includes(']')) {
      addError('params', IS_INVALID);
      return undefined;
    }
    entries.set(name, entry);
  }
  return entries;
}

/** Keys must be integers forming 1..n; returns the values in key order, or an error message. */
function orderParams(entries: Map<string, string>): string[] | string {
  const numbered: [number, string][] = [];
  for (const [key, value] of entries) {
    if (!/^[+-]?\d+$/.test(key)) return 'Parameters can only use numbers as keys';
    numbered.push([Number(key), value]);
  }
  numbered.sort(([a], [b]) => a - b);
  if (numbered.some(([key], index) => key !== index + 1)) {
    return 'Parameters must be numbered sequentially, starting from 1';
  }
  return numbered.map(([, value]) => value);
}

function isBlank(value: string): boolean {
  return value.trim() === '';
}
