/**
 * Command line of the headless client (DESIGN.md, public interfaces): which command, with which
 * options. Pure: argv and environment in, a parsed command or a one-line error out. Nothing here
 * ever echoes a password.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SYNCED_TABLES } from '../../../shared/schema/tables.js';

export const PASSWORD_ENV = 'FIELDLINE_PASSWORD';

/** Exit codes: the run succeeded; it failed (sync or replica); it was called wrongly (or there is no replica). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage: npm run fieldline -- <command> [options]

Commands:
  sync     Fill or refresh a replica from a Fieldline server.
  status   Print what a replica holds as JSON: per-table rows, offsets, outbox and conflict counts.

fieldline sync --server URL --email EMAIL --password PASSWORD --db FILE [--once] [--plain] [--tables LIST]
  --server URL         the gateway's base URL (http or https)
  --email EMAIL        the account to sign in with
  --password PASSWORD  its password; may be omitted when ${PASSWORD_ENV} is set (preferred: a
                       password on the command line is visible to other users of this machine)
  --db FILE            the replica file (created on the first sync)
  --once               exit when every table is up to date; without it, keep syncing until Ctrl-C
  --plain              print plain progress lines even on a terminal
  --tables LIST        comma-separated synced tables to sync (default: all)

fieldline status --db FILE
  --db FILE            the replica file (never created, changed or migrated by status)

  -h, --help           show this help

Exit codes: 0 done; 1 the sync or the replica failed; 2 wrong usage, or no replica at --db.
`;

export type SyncCommand = {
  command: 'sync';
  serverUrl: string;
  email: string;
  password: string;
  dbFile: string;
  once: boolean;
  plain: boolean;
  /** Undefined: every synced table. */
  tables?: string[];
};

export type StatusCommand = { command: 'status'; dbFile: string };

export type ParsedCommandLine =
  | SyncCommand
  | StatusCommand
  | { command: 'help' }
  /** One line, naming the offending flag or value; print it with USAGE and exit EXIT_USAGE. */
  | { command: 'error'; message: string };

const COMMANDS = ['sync', 'status'] as const;
type CommandName = (typeof COMMANDS)[number];

const help = { type: 'boolean', short: 'h' } as const;
const OPTIONS = {
  sync: {
    server: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    db: { type: 'string' },
    once: { type: 'boolean' },
    plain: { type: 'boolean' },
    tables: { type: 'string' },
    help,
  },
  status: { db: { type: 'string' }, help },
} as const;

const fail = (command: string, message: string): ParsedCommandLine => ({
  command: 'error',
  message: `fieldline ${command}: ${message}`,
});

/** node:util's parse errors, reduced to one short line naming the flag (never echoing a value: it may be a password). */
function describeParseError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const flag = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? 'an option';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message)
        ? `option ${flag} takes no value`
        : `option ${flag} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'unexpected argument without an option name (options are --name value)';
    default:
      return 'invalid arguments';
  }
}

/**
 * Where a relative --db is taken from: the caller's directory. `npm run` starts the script in the
 * package root and passes the caller's directory as INIT_CWD.
 */
export const callerDirectory = (env: NodeJS.ProcessEnv, cwd = process.cwd()): string =>
  env.npm_lifecycle_event === 'fieldline' && env.INIT_CWD ? env.INIT_CWD : cwd;

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) return { command: 'error', message: 'fieldline: missing command (sync or status)' };
  if (first === '-h' || first === '--help' || first === 'help') return { command: 'help' };
  if (!(COMMANDS as readonly string[]).includes(first))
    return {
      command: 'error',
      message: first.startsWith('-')
        ? `fieldline: expected a command (sync or status) before ${first.split('=')[0]}`
        : `fieldline: unknown command ${first} (expected sync or status)`,
    };
  const command = first as CommandName;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...rest], options: OPTIONS[command], strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return fail(command, describeParseError(e));
  }
  if (values.help) return { command: 'help' };
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const required = (name: string): string | ParsedCommandLine => {
    const v = str(name);
    if (v === undefined) return fail(command, `missing --${name}`);
    if (v.trim() === '') return fail(command, `--${name} is empty`);
    return v;
  };

  const db = required('db');
  if (typeof db !== 'string') return db;
  const dbFile = path.resolve(callerDirectory(env), db);
  if (command === 'status') return { command, dbFile };

  const server = required('server');
  if (typeof server !== 'string') return server;
  let serverUrl: URL;
  try {
    serverUrl = new URL(server);
  } catch {
    return fail(command, `--server ${server} is not a URL (expected http://host:port or https://…)`);
  }
  if (serverUrl.protocol !== 'http:' && serverUrl.protocol !== 'https:')
    return fail(command, `--server must be an http or https URL, not ${serverUrl.protocol}`);
  const email = required('email');
  if (typeof email !== 'string') return email;
  const password = str('password') ?? env[PASSWORD_ENV];
  if (password === undefined || password === '') return fail(command, `missing --password (or set ${PASSWORD_ENV})`);

  let tables: string[] | undefined;
  const list = str('tables');
  if (list !== undefined) {
    tables = [
      ...new Set(
        list
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ];
    const unknown = tables.filter((t) => !SYNCED_TABLES.some((s) => s.name === t));
    if (unknown.length) return fail(command, `--tables: ${unknown.join(', ')} is not a synced table`);
    if (!tables.length) return fail(command, '--tables is empty');
  }
  return {
    command,
    serverUrl: server.replace(/\/+$/, ''),
    email,
    password,
    dbFile,
    once: values.once === true,
    plain: values.plain === true,
    ...(tables ? { tables } : {}),
  };
}
