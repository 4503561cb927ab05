/**
 * Postgres errors a mutation can cause by its content (not by an outage or a bug), as rejections
 * with a reason a person can read. Anything not listed here is unexpected: the request fails with
 * a 500 and the client retries it.
 */
import type { TableDef } from '../../../../shared/schema/table.js';
import type { Plan, Rejection } from './validate.js';

type PgError = Error & { code?: string; constraint?: string; column?: string; detail?: string };

const isPgError = (e: unknown): e is PgError =>
  e instanceof Error && typeof (e as PgError).code === 'string' && /^[0-9A-Z]{5}$/.test((e as PgError).code!);

/** The table's columns a constraint is named after (`devices_organization_id_property_id_fkey` → property_id …). */
export function constraintColumns(table: TableDef, constraint: string | undefined): string[] {
  if (!constraint) return [];
  let rest = constraint.startsWith(`${table.name}_`) ? constraint.slice(table.name.length + 1) : constraint;
  rest = rest.replace(/_(pkey|key|fkey|check|excl|idx)$/, '');
  const found: string[] = [];
  for (const col of Object.keys(table.columns).sort((a, b) => b.length - a.length)) {
    const re = new RegExp(`(^|_)${col}(_|$)`);
    if (re.test(rest)) {
      found.push(col);
      rest = rest.replace(re, '_');
    }
  }
  const named = found.filter((c) => c !== table.scope);
  return named.length ? named : found;
}

const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'null'));

/** The rejection for a Postgres error the mutation caused, or null when the error is unexpected. */
export function rejectionForPgError(e: unknown, plan: Plan): Rejection | null {
  if (!isPgError(e)) return null;
  const t = plan.table;
  const written = new Map(plan.op === 'delete' ? [] : plan.values.map((v) => [v.column, v.value]));
  const cols = constraintColumns(t, e.constraint);
  const colText = cols.length ? cols.join(', ') : 'a column';
  const valuesText = cols
    .filter((c) => written.has(c))
    .map((c) => shown(written.get(c)))
    .join(', ');
  const code = e.code!;
  if (code === '42501') {
    return {
      code: 'forbidden',
      message: `Not allowed: the ${t.name} row is not in your organization, or your role may not make this change.`,
    };
  }
  if (code === '23505') {
    if (plan.op === 'insert' && e.constraint === `${t.name}_pkey`) {
      return { code: 'already_exists', message: `A ${t.name} row with id ${plan.pk.id ?? ''} already exists.` };
    }
    return {
      code: 'constraint',
      message: `Another ${t.name} row already has this ${colText}${valuesText ? ` (${valuesText})` : ''}; it must be unique.`,
    };
  }
  if (code === '23503') {
    if (plan.op === 'delete') {
      return { code: 'constraint', message: `Other rows still refer to this ${t.name} row; remove them first.` };
    }
    return {
      code: 'constraint',
      message: `${t.name}.${colText}${valuesText ? ` (${valuesText})` : ''} refers to a row that does not exist in your organization.`,
    };
  }
  if (code === '23514') {
    return {
      code: 'invalid',
      message: `${t.name}.${colText}${valuesText ? ` = ${valuesText}` : ''} is not allowed (rule ${e.constraint ?? 'check'}).`,
    };
  }
  if (code === '23502') {
    return { code: 'invalid', message: `${t.name}.${e.column ?? colText} is required and cannot be null.` };
  }
  if (code.startsWith('22') || code === '54000') {
    return { code: 'invalid', message: `${t.name}: ${e.message}` };
  }
  return null;
}

export const pgErrorCode = (e: unknown): string | undefined => (isPgError(e) ? e.code : undefined);
export const pgErrorDetail = (e: unknown): string | undefined => (isPgError(e) ? e.detail : undefined);
export const pgErrorConstraint = (e: unknown): string | undefined => (isPgError(e) ? e.constraint : undefined);
