/**
 * Replica values → the JSON values a mutation carries (the inverse of replica/value-codec.ts):
 * booleans from 0/1, jsonb and arrays parsed from their JSON text, int8 as a number when it fits
 * and as decimal text when it does not. Everything else is already its wire form.
 */
import type { ColumnDef } from '../../../shared/schema/columns.js';

export function toWire(def: ColumnDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (def.kind) {
    case 'boolean':
      return value === 1 || value === 1n || value === true;
    case 'jsonb':
    case 'textArray':
      return typeof value === 'string' ? JSON.parse(value) : value;
    case 'bigint':
    case 'integer':
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      return value;
    default:
      return value;
  }
}
