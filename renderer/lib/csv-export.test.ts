import { describe, expect, it } from 'vitest';
import { downloadName, exportMessage } from './csv-export.js';

describe('downloadName', () => {
  it("keeps the app's name, and makes any name safe for a download", () => {
    expect(downloadName('devices-2026-03-11.csv')).toBe('devices-2026-03-11.csv');
    expect(downloadName('../../etc/devices.csv')).toBe('devices.csv');
    expect(downloadName('C:\\exports\\north:wind?.csv')).toBe('north-wind-.csv');
    expect(downloadName('inventory')).toBe('inventory.csv');
    expect(downloadName('...')).toBe('devices.csv');
    expect(downloadName('')).toBe('devices.csv');
  });
});

describe('exportMessage', () => {
  it('says where the file went and how many devices it holds', () => {
    expect(exportMessage({ kind: 'saved', path: '/home/ann/devices.csv', rows: 12345 })).toBe(
      `Saved ${(12345).toLocaleString()} devices to /home/ann/devices.csv`,
    );
    expect(exportMessage({ kind: 'download', fileName: 'devices-2026-03-11.csv', csv: '', rows: 1 })).toBe(
      'Downloaded 1 device as devices-2026-03-11.csv',
    );
  });
});
