/**
 * Rewrites the `$n` placeholders of a where clause, so that several shapes' clauses can share one
 * query's parameter list. Placeholders are found through the parser's ParamRef nodes, never by
 * searching the text, so `'$1'` in a string, a `$$…$$` body, a quoted identifier or a comment is
 * left alone.
 */
import type { ParamRef } from 'libpg-query';
import { parseWhere } from './parse-where.js';

/** `$n` becomes `$(n + shift)`. Expects a where text that validateWhere accepted; throws otherwise. */
export function renumberParams(where: string, shift: number): string {
  return rewriteParams(where, (number) => number + shift);
}

/** `$n` becomes `$(renumber(n))`; renumber must give positive integers. Throws on unparseable text. */
export function rewriteParams(where: string, renumber: (number: number) => number): string {
  const placeholders = findPlaceholders(where);
  let rewritten = where;
  // From the end, so that earlier indexes stay valid as lengths change.
  for (const { index, text, number } of [...placeholders].reverse()) {
    const next = renumber(number);
    if (!Number.isSafeInteger(next) || next < 1) throw new RangeError(`cannot renumber $${number} to ${next}`);
    rewritten = rewritten.slice(0, index) + `$${next}` + rewritten.slice(index + text.length);
  }
  // The rewrite must change nothing but the numbers.
  const expected = placeholders.map(({ number }) => renumber(number));
  const actual = findPlaceholders(rewritten).map(({ number }) => number);
  if (actual.join() !== expected.join()) throw new Error('renumbering parameters changed the where clause');
  return rewritten;
}

type Placeholder = { readonly index: number; readonly text: string; readonly number: number };

/** Every `$n` token of `where`, in text order. */
function findPlaceholders(where: string): Placeholder[] {
  const parsed = parseWhere(where);
  if (!parsed.ok) throw new Error(`cannot renumber parameters of an invalid where clause: ${parsed.message}`);
  const placeholders = collectParamRefs(parsed.expression).map((ref): Placeholder => {
    const index = parsed.positions.whereIndex(ref.location);
    const text = /^\$\d+/.exec(where.slice(index))?.[0];
    if (text === undefined || Number(text.slice(1)) !== ref.number) {
      throw new Error(`no $${ref.number} placeholder where the parser found one`);
    }
    return { index, text, number: ref.number };
  });
  return placeholders.sort((a, b) => a.index - b.index);
}

type LocatedParamRef = Required<Pick<ParamRef, 'number' | 'location'>>;

/** All ParamRef nodes anywhere in the tree; iterative, so tree depth cannot overflow the JS stack. */
function collectParamRefs(root: unknown): LocatedParamRef[] {
  const found: LocatedParamRef[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if ('ParamRef' in value && isLocatedParamRef(value.ParamRef)) found.push(value.ParamRef);
    else pending.push(...Object.values(value));
  }
  return found;
}

function isLocatedParamRef(value: unknown): value is LocatedParamRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    'number' in value &&
    typeof value.number === 'number' &&
    'location' in value &&
    typeof value.location === 'number'
  );
}
