import { describe, expect, it } from 'vitest';
import {
  asSentence,
  calendarDaysBetween,
  formatMinutes,
  formatAgo,
  formatBytes,
  formatFieldValue,
  formatWhen,
  plural,
} from './format.js';

// Local-time dates, so the tests hold in any time zone.
const now = new Date(2026, 2, 11, 10, 30);
const at = (day: number, hour: number, minute = 0, month = 2, year = 2026) =>
  new Date(year, month, day, hour, minute).toISOString();

describe('formatWhen', () => {
  it('names today, tomorrow and yesterday with the time', () => {
    expect(formatWhen(at(11, 14), now, 'en-GB')).toBe('Today 14:00');
    expect(formatWhen(at(12, 9, 5), now, 'en-GB')).toBe('Tomorrow 09:05');
    expect(formatWhen(at(10, 17, 30), now, 'en-GB')).toBe('Yesterday 17:30');
  });

  it('gives weekday and date within the year, and the year otherwise', () => {
    expect(formatWhen(at(16, 8), now, 'en-GB')).toBe('Mon 16 Mar 08:00');
    expect(formatWhen(at(3, 8, 0, 11, 2025), now, 'en-GB')).toBe('3 Dec 2025');
    expect(formatWhen(null, now)).toBe('—');
  });

  it('counts calendar days, not 24-hour spans', () => {
    expect(calendarDaysBetween(now, new Date(2026, 2, 12, 0, 1))).toBe(1);
    expect(calendarDaysBetween(now, new Date(2026, 2, 11, 23, 59))).toBe(0);
  });
});

describe('formatAgo', () => {
  it('reads as a person would say it', () => {
    expect(formatAgo(new Date(now.getTime() - 10_000).toISOString(), now)).toBe('just now');
    expect(formatAgo(new Date(now.getTime() - 5 * 60_000).toISOString(), now)).toBe('5 min ago');
    expect(formatAgo(new Date(now.getTime() - 3 * 3_600_000).toISOString(), now)).toBe('3 h ago');
    expect(formatAgo(null, now)).toBe('never');
  });
});

describe('formatFieldValue and plural', () => {
  it('shows empties, booleans and objects plainly', () => {
    expect(formatFieldValue(null)).toBe('(empty)');
    expect(formatFieldValue('')).toBe('(empty)');
    expect(formatFieldValue(true)).toBe('yes');
    expect(formatFieldValue(7)).toBe('7');
    expect(formatFieldValue(['a'])).toBe('["a"]');
    expect(formatFieldValue('2026-03-12T09:00:00Z', 'en-GB')).toMatch(/^12 Mar 2026, \d\d:\d\d$/);
    expect(formatFieldValue('2026-03-12 is not a timestamp')).toBe('2026-03-12 is not a timestamp');
    expect(plural(1, 'task')).toBe('1 task');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});

describe('asSentence', () => {
  it('ends a message with a full stop unless it already ends a sentence', () => {
    expect(asSentence('connect ECONNREFUSED 127.0.0.1:7410')).toBe('connect ECONNREFUSED 127.0.0.1:7410.');
    expect(asSentence('Try again later. ')).toBe('Try again later.');
  });
});

describe('formatMinutes', () => {
  it('switches to hours from an hour up', () => {
    expect([45, 60, 90, 480].map(formatMinutes)).toEqual(['45 min', '1 h', '1 h 30 min', '8 h']);
  });
});

describe('formatBytes', () => {
  it('picks the unit people expect', () => {
    expect([0, 512, 1536, 10 * 1024, 5.5 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '1.5 KB',
      '10 KB',
      '5.5 MB',
      '3.0 GB',
    ]);
  });
});
