/**
 * Turns one replicated change into the log entries one shape must store (protocol §9–10):
 * where-clause transitions become inserts or deletes, replica mode decides what values travel,
 * a primary-key change splits into a delete and an insert, and untouched selected columns drop
 * the change altogether.
 */
import { buildKey } from '../protocol/messages.js';
import type { ReplicatedChange, TableInfo, TextRow } from '../types.js';

export type ShapeView = {
  table: TableInfo;
  /** Selected columns, primary key included. */
  columns: readonly string[];
  replica: 'default' | 'full';
};

/** Whether the old and new row images satisfy the shape's where (true when it has none). */
export type WhereMatch = { old: boolean; new: boolean };

/** An entry before its transaction-level headers (lsn, op_position, txids, last) are added. */
export type ShapeChange = {
  operation: 'insert' | 'update' | 'delete';
  /** 0 for the change's own slot, 1 for the insert half of a primary-key change. */
  opShift: 0 | 1;
  key: string;
  value: TextRow;
  oldValue?: TextRow;
  keyChangeTo?: string;
  keyChangeFrom?: string;
};

const pick = (row: TextRow, names: readonly string[]): TextRow =>
  Object.fromEntries(names.map((n) => [n, row[n] ?? null]));

export function keyOf(table: TableInfo, row: TextRow): string {
  // Tables without a primary key are keyed by every column in attribute order, as Electric does.
  const keyColumns = table.pk.length ? table.pk : table.columns.map((c) => c.name);
  return buildKey(
    table.schema,
    table.name,
    keyColumns.map((c) => row[c] ?? null),
  );
}

export function convertChange(shape: ShapeView, change: ReplicatedChange, match: WhereMatch): ShapeChange[] {
  const { table, columns, replica } = shape;
  const pkColumns = table.pk.length ? table.pk : columns;
  switch (change.kind) {
    case 'insert':
      return match.new
        ? [{ operation: 'insert', opShift: 0, key: keyOf(table, change.newRow), value: pick(change.newRow, columns) }]
        : [];
    case 'delete':
      return match.old ? [deletion(shape, change.oldRow, pkColumns)] : [];
    case 'update': {
      const { oldRow, newRow } = change;
      if (!match.old && !match.new) return [];
      if (!match.old)
        return [{ operation: 'insert', opShift: 0, key: keyOf(table, newRow), value: pick(newRow, columns) }];
      if (!match.new) return [deletion(shape, oldRow, pkColumns)];
      const oldKey = keyOf(table, oldRow);
      const newKey = keyOf(table, newRow);
      if (oldKey !== newKey) {
        return [
          { ...deletion(shape, oldRow, pkColumns), keyChangeTo: newKey },
          { operation: 'insert', opShift: 1, key: newKey, value: pick(newRow, columns), keyChangeFrom: oldKey },
        ];
      }
      const changed = columns.filter((c) => (oldRow[c] ?? null) !== (newRow[c] ?? null));
      if (!changed.length) return [];
      if (replica === 'full') {
        return [
          {
            operation: 'update',
            opShift: 0,
            key: newKey,
            value: pick(newRow, columns),
            oldValue: pick(oldRow, changed),
          },
        ];
      }
      const sent = [...new Set([...pkColumns, ...changed])].filter((c) => columns.includes(c));
      return [{ operation: 'update', opShift: 0, key: newKey, value: pick(newRow, sent) }];
    }
    case 'truncate':
      return []; // handled by rotating the shape, never as a log entry
  }
}

function deletion(shape: ShapeView, oldRow: TextRow, pkColumns: readonly string[]): ShapeChange {
  const value = shape.replica === 'full' ? pick(oldRow, shape.columns) : pick(oldRow, pkColumns);
  return { operation: 'delete', opShift: 0, key: keyOf(shape.table, oldRow), value };
}
