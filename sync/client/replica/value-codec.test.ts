import { describe, expect, it } from 'vitest';
import { devices, projects, tasks } from '../../../shared/schema/tables.js';
import { UnknownColumnError, ValueCodecError, encodeRow, encodeValue, pgTimestamptzToIso } from './value-codec.js';

describe('pgTimestamptzToIso', () => {
  it('writes UTC ISO text with six fraction digits, so text order is time order', () => {
    expect(pgTimestamptzToIso('2026-06-01 10:11:12+00')).toBe('2026-06-01T10:11:12.000000Z');
    expect(pgTimestamptzToIso('2026-06-01 10:11:12.5+00')).toBe('2026-06-01T10:11:12.500000Z');
    expect(pgTimestamptzToIso('2026-06-01 10:11:12.123456+00')).toBe('2026-06-01T10:11:12.123456Z');
    expect(pgTimestamptzToIso('2026-06-01 01:00:00.25+02:30')).toBe('2026-05-31T22:30:00.250000Z');
    const sorted = ['2026-06-01 10:11:12.5+00', '2026-06-01 10:11:12+00', '2026-06-01 10:11:12.25+00'].map(
      pgTimestamptzToIso,
    );
    expect([...sorted].sort()).toEqual([sorted[1], sorted[2], sorted[0]]);
  });
  it('keeps values outside the ISO range as sent', () => {
    expect(pgTimestamptzToIso('infinity')).toBe('infinity');
    expect(pgTimestamptzToIso('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });
});

describe('encodeRow / encodeValue', () => {
  it('maps every kind from what the official client parses to the replica form', () => {
    const row = encodeRow(devices, {
      id: 'a0000000-0000-0000-0000-000000000001',
      serial_number: 'HK-1',
      ip_address: '10.0.0.1',
      mac_address: '08:00:2b:01:02:03',
      install_date: '2026-06-01',
      attributes: { z: 1, a: [true, null] },
      row_version: 9007199254740993n,
      created_at: '2026-06-01 00:00:00+00',
      deleted_at: null,
    });
    expect(row.columns).toEqual([
      'id',
      'serial_number',
      'ip_address',
      'mac_address',
      'install_date',
      'attributes',
      'row_version',
      'created_at',
      'deleted_at',
    ]);
    expect(row.values).toEqual([
      'a0000000-0000-0000-0000-000000000001',
      'HK-1',
      '10.0.0.1',
      '08:00:2b:01:02:03',
      '2026-06-01',
      '{"z":1,"a":[true,null]}',
      9007199254740993n,
      '2026-06-01T00:00:00.000000Z',
      null,
    ]);
    expect(encodeRow(tasks, { tags: ['a', 'b "c"'], estimated_minutes: 30 }).values).toEqual(['["a","b \\"c\\""]', 30]);
    expect(encodeValue('contacts', 'is_primary', { ...tasks.columns.title!, kind: 'boolean' }, true)).toBe(1);
    expect(encodeValue('contacts', 'is_primary', { ...tasks.columns.title!, kind: 'boolean' }, false)).toBe(0);
    expect(encodeValue('properties', 'latitude', { ...tasks.columns.notes!, kind: 'double' }, 40.5)).toBe(40.5);
    expect(encodeRow(projects, { budget_cents: 12n }).values).toEqual([12n]);
  });

  it('refuses what the replica cannot hold, naming table and column', () => {
    expect(() => encodeRow(devices, { admin_credentials: 'x' })).toThrow(UnknownColumnError);
    expect(() => encodeRow(devices, { brand_new_column: 'x' })).toThrow(/devices\.brand_new_column/);
    expect(() => encodeRow(devices, { serial_number: null })).toThrow(ValueCodecError);
    expect(() => encodeRow(tasks, { estimated_minutes: 1.5 })).toThrow(/tasks\.estimated_minutes: expected an integer/);
    expect(() => encodeValue('p', 'lat', { ...tasks.columns.title!, kind: 'double' }, Number.NaN)).toThrow(/NaN/);
    expect(encodeValue('p', 'lat', { ...tasks.columns.notes!, kind: 'double' }, Number.NaN)).toBeNull();
  });
});
