/** The shape service end to end with the official client (@electric-sql/client) on real Postgres. */
import { Shape, ShapeStream, type Row } from '@electric-sql/client';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import type { ShapeServiceConfig } from './config.js';
import { startShapeService, type RunningShapeService } from './service.js';

let db: TestDatabase;
let client: pg.Client;
let service: RunningShapeService;
const streamId = `t${Date.now().toString(36)}`;

const config = (): ShapeServiceConfig => ({
  databaseUrl: db.url,
  port: 0,
  host: '127.0.0.1',
  secret: undefined,
  chunkBytes: 10_000,
  cacheMaxAge: 1,
  cacheStaleAge: 3,
  longPollTimeoutMs: 3_000,
  allowDelete: true,
  storageDir: makeTempDir('shapes'),
  streamId,
  maxLongPolls: 100,
  maxWhereLength: 10_000,
});

beforeAll(async () => {
  db = await createTestDatabase('empty');
  client = await connect(db.url);
  await client.query(`
    create table items (id int primary key, title text not null, status text not null default 'open', n int8);
    insert into items select g, 'item ' || g, 'open', g from generate_series(1, 300) g;`);
  service = await startShapeService(config());
});

afterAll(async () => {
  await service?.stop();
  await client?.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like $1`, [
    `%${streamId}`,
  ]);
  await client?.end();
  await db?.drop();
});

function shapeOf(params: Record<string, string | string[]>) {
  const stream = new ShapeStream({ url: `${service.url}/v1/shape`, params: params as never });
  return new Shape(stream);
}

/** Resolves once the shape's rows satisfy `ok`, re-checking on every update. */
async function until(shape: Shape, ok: (rows: Row[]) => boolean, ms = 15_000): Promise<Row[]> {
  if (ok(shape.currentRows)) return shape.currentRows;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out; rows: ${JSON.stringify(shape.currentRows).slice(0, 300)}`)),
      ms,
    );
    const unsubscribe = shape.subscribe(({ rows }) => {
      if (ok(rows)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(rows);
      }
    });
  });
}

describe('shape service with the official client', () => {
  it('syncs a table larger than many chunks, then live inserts, updates and deletes', async () => {
    const shape = shapeOf({ table: 'items' });
    const rows = await shape.rows;
    expect(rows).toHaveLength(300);
    expect(rows.find((r) => r.id === 7)).toEqual({ id: 7, title: 'item 7', status: 'open', n: 7n });

    await client.query(`insert into items values (1001, 'new', 'open', 9007199254740993)`);
    await client.query(`update items set title = 'changed' where id = 1`);
    await client.query(`delete from items where id = 2`);
    const after = await until(
      shape,
      (r) => r.length === 300 && r.some((x) => x.id === 1001) && r.some((x) => x.title === 'changed'),
    );
    expect(after.find((r) => r.id === 1001)!.n).toBe(9007199254740993n);
    expect(after.some((r) => r.id === 2)).toBe(false);
    shape.unsubscribeAll();
  });

  it('moves rows into and out of a where-clause with params', async () => {
    const shape = shapeOf({ table: 'items', where: 'status = $1', 'params[1]': 'done' });
    expect(await shape.rows).toHaveLength(0);
    await client.query(`update items set status = 'done' where id in (10, 11)`);
    await until(shape, (r) => r.length === 2);
    await client.query(`update items set status = 'open' where id = 10`);
    const rows = await until(shape, (r) => r.length === 1);
    expect(rows[0]!.id).toBe(11);
    shape.unsubscribeAll();
  });

  it('delivers a multi-row transaction whole and shares one shape between two clients', async () => {
    const a = shapeOf({ table: 'items', columns: '"id","status"' });
    const b = shapeOf({ table: 'items', columns: '"id","status"' });
    await Promise.all([a.rows, b.rows]);
    expect(a.currentRows[0]).not.toHaveProperty('title');
    await client.query('begin');
    await client.query(`update items set status = 'batch' where id between 100 and 149`);
    await client.query('commit');
    const seen = await until(a, (r) => r.some((x) => x.status === 'batch'));
    // The batch arrives whole: never part of the transaction.
    expect(seen.filter((x) => x.status === 'batch')).toHaveLength(50);
    await until(b, (r) => r.filter((x) => x.status === 'batch').length === 50);
    expect(service.registry.all().filter((s) => s.definition.columns).length).toBe(1);
    a.unsubscribeAll();
    b.unsubscribeAll();
  });

  it('answers where-clause errors the way Electric does', async () => {
    const res = await fetch(`${service.url}/v1/shape?table=items&offset=-1&where=1%20x%201`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      message: 'Invalid request',
      errors: { where: ['At location 17: syntax error at or near "x"'] },
    });
    const health = await fetch(`${service.url}/v1/health`);
    expect(await health.json()).toEqual({ status: 'active' });
  });
});
