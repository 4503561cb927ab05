/**
 * SQL identifiers as clients send them in `table` and `columns` (protocol §3), following
 * Postgres's rules: unquoted names are lower-cased (ASCII only, as Postgres does for UTF-8
 * databases), quoted names keep their case and may contain anything, `""` stands for a quote.
 * Error texts follow Electric's so clients and tests see the same messages.
 */

/** Postgres's NAMEDATALEN - 1. Longer names would be silently truncated by Postgres. */
export const MAX_IDENTIFIER_LENGTH = 63;

export const DEFAULT_SCHEMA = 'public';

export type QualifiedName = { readonly schema: string; readonly name: string };

export type IdentifierResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ZERO_LENGTH = 'Invalid zero-length delimited identifier';

/** Letters or `_` first, then letters, marks, digits, `_` or `$` (what Electric accepts unquoted). */
const UNQUOTED_IDENTIFIER = /^[\p{L}_][\p{L}\p{M}_0-9$]*$/u;

/** Parses one identifier, quoted or not, into the name Postgres would look up. */
export function parseIdentifier(text: string): IdentifierResult<string> {
  const parsed = isQuoted(text) ? parseQuoted(text.slice(1, -1)) : parseUnquoted(text);
  if (parsed.ok && [...parsed.value].length > MAX_IDENTIFIER_LENGTH) {
    return fail(`Identifier is too long (max length is ${MAX_IDENTIFIER_LENGTH})`);
  }
  return parsed;
}

/** Parses `table` (`name` or `schema.name`); the schema defaults to `public`. */
export function parseRelation(tableParam: string): IdentifierResult<QualifiedName> {
  const [first = '', second, ...rest] = splitOutsideQuotes(tableParam, '.');
  if (rest.length > 0) return fail(`Invalid relation identifier, too many delimiters: ${tableParam}`);
  const head = parseIdentifier(first);
  if (!head.ok) return head;
  if (second === undefined) return ok({ schema: DEFAULT_SCHEMA, name: head.value });
  const name = parseIdentifier(second);
  if (!name.ok) return name;
  return ok({ schema: head.value, name: name.value });
}

/** Parses `columns`: identifiers separated by commas outside quotes. Order is kept. */
export function parseColumnList(columnsParam: string): IdentifierResult<string[]> {
  const names: string[] = [];
  // Electric counts the quotes after each comma rather than before: the same split for balanced
  // input, and the same error message for unbalanced input.
  const unbalanced = (columnsParam.match(/"/g) ?? []).length % 2 === 1;
  for (const part of splitOutsideQuotes(columnsParam, ',', unbalanced)) {
    const parsed = parseIdentifier(part);
    if (!parsed.ok) return parsed;
    names.push(parsed.value);
  }
  return ok(names);
}

/** Quotes a name for use in SQL text; always quoting keeps case and reserved words safe. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteQualifiedName({ schema, name }: QualifiedName): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * Splits on `delimiter` where it is not inside double quotes. A doubled quote inside a quoted
 * name toggles twice, so it needs no special case.
 */
function splitOutsideQuotes(text: string, delimiter: string, startInQuotes = false): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuotes = startInQuotes;
  for (const char of text) {
    if (char === delimiter && !inQuotes) {
      parts.push(current);
      current = '';
      continue;
    }
    if (char === '"') inQuotes = !inQuotes;
    current += char;
  }
  parts.push(current);
  return parts;
}

/** A lone `"` counts as quoted (and then empty), as in Electric. */
function isQuoted(text: string): boolean {
  return text.startsWith('"') && text.endsWith('"');
}

function parseQuoted(inner: string): IdentifierResult<string> {
  if (inner === '') return fail(ZERO_LENGTH);
  let name = '';
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i]!;
    if (char === '"') {
      if (inner[i + 1] !== '"') return fail(`Invalid identifier with unescaped quote: ${inner}`);
      i++;
    }
    name += char;
  }
  return ok(name);
}

function parseUnquoted(text: string): IdentifierResult<string> {
  if (text === '') return fail(ZERO_LENGTH);
  if (!UNQUOTED_IDENTIFIER.test(text)) return fail(`Invalid unquoted identifier contains special characters: ${text}`);
  return ok(text.replace(/[A-Z]/g, (upper) => upper.toLowerCase()));
}

function ok<T>(value: T): IdentifierResult<T> {
  return { ok: true, value };
}

function fail(error: string): { readonly ok: false; readonly error: string } {
  return { ok: false, error };
}
