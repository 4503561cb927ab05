import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, PASSWORD_ENV, USAGE } from './args.js';

const SYNC = ['sync', '--server', 'http://127.0.0.1:7410/', '--email', 'tech@northwind.test', '--db', 'r.db'];
const errorOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = parseCommandLine(argv, env);
  if (r.command !== 'error') throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  expect(r.message).not.toContain('\n');
  return r.message;
};

describe('parseCommandLine', () => {
  it('parses sync with every option', () => {
    expect(
      parseCommandLine([...SYNC, '--password', 'pw', '--once', '--plain', '--tables', 'tasks, devices,tasks']),
    ).toEqual({
      command: 'sync',
      serverUrl: 'http://127.0.0.1:7410',
      email: 'tech@northwind.test',
      password: 'pw',
      dbFile: path.resolve('r.db'),
      once: true,
      plain: true,
      tables: ['tasks', 'devices'],
    });
    expect(parseCommandLine([...SYNC, '--password=pw'])).toMatchObject({ once: false, plain: false });
    expect(parseCommandLine([...SYNC, '--password=pw'])).not.toHaveProperty('tables');
  });

  it('takes the password from the environment when --password is omitted; the flag wins', () => {
    expect(parseCommandLine(SYNC, { [PASSWORD_ENV]: 'from-env' })).toMatchObject({ password: 'from-env' });
    expect(parseCommandLine([...SYNC, '--password', 'flag'], { [PASSWORD_ENV]: 'env' })).toMatchObject({
      password: 'flag',
    });
    expect(errorOf(SYNC)).toBe(`fieldline sync: missing --password (or set ${PASSWORD_ENV})`);
    expect(errorOf(SYNC, { [PASSWORD_ENV]: '' })).toMatch(/missing --password/);
  });

  it('parses status', () => {
    expect(parseCommandLine(['status', '--db', '/tmp/x.db'])).toEqual({ command: 'status', dbFile: '/tmp/x.db' });
  });

  it('takes a relative --db from the directory `npm run fieldline` was called in', () => {
    const npm = { npm_lifecycle_event: 'fieldline', INIT_CWD: '/home/op/field' };
    expect(parseCommandLine(['status', '--db', 'r.db'], npm)).toEqual({
      command: 'status',
      dbFile: '/home/op/field/r.db',
    });
    expect(parseCommandLine(['status', '--db', '/abs/r.db'], npm)).toMatchObject({ dbFile: '/abs/r.db' });
    // INIT_CWD inherited from some other npm script does not count.
    expect(parseCommandLine(['status', '--db', 'r.db'], { ...npm, npm_lifecycle_event: 'test' })).toMatchObject({
      dbFile: path.resolve('r.db'),
    });
  });

  it('names the missing flag', () => {
    expect(errorOf(['status'])).toBe('fieldline status: missing --db');
    expect(errorOf(['sync', '--db', 'x', '--email', 'e', '--password', 'p'])).toBe('fieldline sync: missing --server');
    expect(errorOf(['sync', '--db', 'x', '--server', 'http://h', '--password', 'p'])).toBe(
      'fieldline sync: missing --email',
    );
    expect(errorOf(['sync', '--db', ' ', '--server', 'http://h'])).toBe('fieldline sync: --db is empty');
  });

  it('rejects unknown flags, flags of the other command, missing values and stray arguments', () => {
    expect(errorOf([...SYNC, '--pasword=hunter2'])).toBe('fieldline sync: unknown option --pasword');
    expect(errorOf(['status', '--db', 'x', '--once'])).toBe('fieldline status: unknown option --once');
    expect(errorOf(['sync', '--db'])).toBe('fieldline sync: option --db needs a value');
    expect(errorOf(['sync', '--db', '--once'])).toBe('fieldline sync: option --db needs a value');
    expect(errorOf([...SYNC, '--once=yes'])).toBe('fieldline sync: option --once takes no value');
    expect(errorOf(['status', '--db', 'x', 'hunter2'])).toMatch(/^fieldline status: unexpected argument/);
    expect(errorOf(['status', '--db', 'x', 'hunter2'])).not.toContain('hunter2');
    expect(errorOf([])).toMatch(/missing command/);
    expect(errorOf(['pull'])).toBe('fieldline: unknown command pull (expected sync or status)');
    expect(errorOf(['--db', 'x'])).toBe('fieldline: expected a command (sync or status) before --db');
  });

  it('checks the server URL and the table names', () => {
    expect(errorOf([...SYNC.slice(0, 2), 'localhost:7410', ...SYNC.slice(3), '--password', 'p'])).toMatch(
      /--server must be an http or https URL|is not a URL/,
    );
    expect(errorOf([...SYNC, '--password', 'p', '--tables', 'tasks,nope'])).toBe(
      'fieldline sync: --tables: nope is not a synced table',
    );
    expect(errorOf([...SYNC, '--password', 'p', '--tables', ' , '])).toBe('fieldline sync: --tables is empty');
  });

  it('never puts the password in an error', () => {
    for (const argv of [
      [...SYNC, '--password', 'hunter2', '--bogus'],
      [...SYNC, '--password', 'hunter2', 'stray'],
      [...SYNC.slice(0, 2), 'nope', ...SYNC.slice(3), '--password', 'hunter2'],
    ])
      expect(errorOf(argv)).not.toContain('hunter2');
  });

  it('--help anywhere asks for the usage, which mentions the environment variable', () => {
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['sync', '--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['status', '-h'])).toEqual({ command: 'help' });
    expect(USAGE).toContain(PASSWORD_ENV);
    expect(USAGE).toMatch(/sync --server URL --email EMAIL --password PASSWORD --db FILE \[--once\]/);
    expect(USAGE).toMatch(/status --db FILE/);
  });
});
