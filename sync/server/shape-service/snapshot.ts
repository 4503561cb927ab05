/**
 * The initial snapshot of a shape: one REPEATABLE READ READ ONLY transaction that records
 * pg_current_snapshot() (so the live tail can skip transactions the snapshot already contains)
 * and streams every matching row, already encoded as an Electric change message by Postgres
 * itself, through a cursor — memory stays flat however large the table.
 */
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import { buildKey } from './protocol/messages.js';
import { DISPLAY_SETTINGS } from './display-settings.js';
import { lsnToBigInt } from './replication/lsn.js';
import type { TableInfo } from './types.js';

export type SnapshotPosition = {
  xmin: string;
  xmax: string;
  xipList: string[];
  /** pg_current_wal_lsn() at the start of the snapshot. */
  lsn: bigint;
};

export type SnapshotQuery = {
  table: TableInfo;
  columns: readonly string[];
  where?: string;
  params: readonly string[];
};

const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** JSON string content for a name known at query-build time (then embedded as an SQL literal). */
const jsonString = (s: string) => JSON.stringify(s);

/**
 * Types whose cast to text is a function that prints differently from their output function:
 * char(n)'s rtrims the padding, inet's always appends the netmask (`10.0.0.1/32` where the output,
 * and so replication, says `10.0.0.1`). (bool's prints `true` for `t`; the client reads both alike.)
 */
const TEXT_CAST_DIFFERS = new Set(['bpchar', 'inet']);

/**
 * A column's text output, as replication sends it. Where `::text` would print something else
 * (TEXT_CAST_DIFFERS), the value goes through concat(), which uses the output function.
 */
function columnText(table: TableInfo, name: string): string {
  const column = table.columns.find((c) => c.name === name);
  const ident = sqlIdent(name);
  return column !== undefined && TEXT_CAST_DIFFERS.has(column.typname) && column.dims === 0
    ? `(case when ${ident} is null then null else concat(${ident}, '') end)`
    : `${ident}::text`;
}

/** SQL producing one text column `m`: the complete JSON change message of each row. */
export function snapshotSelectSql(q: SnapshotQuery): string {
  const { table } = q;
  const keyColumns = table.pk.length ? table.pk : table.columns.map((c) => c.name);
  // The same key rule as replicated changes: buildKey with no key values is the relation prefix.
  const prefix = buildKey(table.schema, table.name, []);
  const keyParts = keyColumns.map((c) => `coalesce('/"' || replace(${columnText(table, c)}, '/', '//') || '"', '/_')`);
  const key = `to_json(${sqlLiteral(prefix)} || ${keyParts.join(' || ')})::text`;
  const values = q.columns.map(
    (c) => `${sqlLiteral(jsonString(c) + ':')} || coalesce(to_json(${columnText(table, c)})::text, 'null')`,
  );
  const headers = JSON.stringify({ operation: 'insert', relation: [table.schema, table.name] });
  const message = [
    `'{"key":' || ${key}`,
    `',"value":{' || ${values.join(" || ',' || ")} || '}'`,
    `${sqlLiteral(`,"headers":${headers}}`)}`,
  ].join(' || ');
  const where = q.where ? `\nwhere (\n${q.where}\n)` : '';
  return `select ${message} as m from ${sqlIdent(table.schema)}.${sqlIdent(table.name)}${where}`;
}

/**
 * Runs the snapshot on `client` (which must be a dedicated connection) and hands each encoded
 * message to `onMessage`, awaiting it before reading more. Returns the snapshot's position.
 */
export async function runSnapshot(
  client: pg.ClientBase,
  q: SnapshotQuery,
  onMessage: (json: string) => Promise<void> | void,
): Promise<SnapshotPosition> {
  await client.query('begin isolation level repeatable read read only');
  try {
    const { rows } = await client.query<{ snap: string; lsn: string }>(
      'select pg_current_snapshot()::text as snap, pg_current_wal_lsn()::text as lsn',
    );
    const [xmin, xmax, xip] = rows[0]!.snap.split(':');
    for (const [name, value] of Object.entries(DISPLAY_SETTINGS)) {
      await client.query('select set_config($1, $2, true)', [name, value]);
    }
    const stream = client.query(new QueryStream(snapshotSelectSql(q), [...q.params], { batchSize: 1000 }));
    for await (const row of stream as AsyncIterable<{ m: string }>) await onMessage(row.m);
    await client.query('commit');
    return {
      xmin: xmin!,
      xmax: xmax!,
      xipList: xip ? xip.split(',').filter(Boolean) : [],
      lsn: lsnToBigInt(rows[0]!.lsn),
    };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  }
}
