/**
 * `npm run fieldline` end to end: the real CLI in its own process (tsx, the sync engine in its worker)
 * against demo data in a real Postgres with the shape service and the gateway in-process, and a real
 * replica file. Lives under scripts/ because it needs sync/server and sync/client together.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import type { ReplicaReport } from '../../sync/client/replica/report.js';
import { DEMO_PASSWORD, replicaFileView, startTestStack, type TestStack } from './test-stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMAIL = 'tech@northwind.test';
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;

let stack: TestStack;
beforeAll(async () => (stack = await startTestStack({ name: 'cli', seed: 11 })));
afterAll(() => stack?.stop());

type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs `fieldline <args>` as operators do (stdout and stderr piped, so not a terminal). */
function fieldline(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('FIELDLINE_PASSWORD' in env)) delete childEnv.FIELDLINE_PASSWORD;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sync/client/cli/main.ts', ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fieldline ${args[0]} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const serverView = () => stack.serverView(EMAIL);
const replicaView = (file: string) => replicaFileView(file);

const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const syncArgs = (file: string) => ['sync', '--server', stack.gateway.url, '--email', EMAIL, '--db', file, '--once'];
const explain = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('fieldline CLI against the real stack', () => {
  const file = () => path.join(stack.dir, 'replica.db');

  it('sync --once fills a replica equal to what the technician sees, with plain progress when piped', async () => {
    const r = await fieldline(syncArgs(file()), { FIELDLINE_PASSWORD: DEMO_PASSWORD });
    expect(r.code, explain(r)).toBe(0);
    expect(replicaView(file())).toEqual(await serverView());

    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stderr).not.toMatch(ANSI);
    const lines = r.stdout.trimEnd().split('\n');
    for (const t of SYNCED_TABLES)
      expect(lines, t.name).toContainEqual(expect.stringMatching(new RegExp(`^${t.name} live \\d+ rows `)));
    expect(lines.at(-1)).toMatch(
      new RegExp(`^summary: ${SYNCED_TABLES.length}/${SYNCED_TABLES.length} tables live, \\d+ rows, `),
    );
    expect(r.stdout + r.stderr).not.toContain(DEMO_PASSWORD);
  });

  it('status --db prints JSON whose per-table rows match the replica, and leaves the file as it was', async () => {
    const before = hash(file());
    const r = await fieldline(['status', '--db', file()]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stderr).toBe('');
    expect(hash(file())).toBe(before);
    const report = JSON.parse(r.stdout) as ReplicaReport;
    const view = replicaView(file());
    expect(report.file).toBe(file());
    expect(report.migrations.state).toBe('current');
    expect(report.summary).toMatchObject({ state: 'synced', synced: SYNCED_TABLES.length });
    expect(report.tables!.map((t) => t.table)).toEqual(SYNCED_TABLES.map((t) => t.name));
    for (const t of report.tables!) {
      expect(t.rows, t.table).toBe(view[t.table]!.rows);
      expect(t.state, t.table).toBe('synced');
      expect(t.offset, t.table).toMatch(/^\d+_(\d+|inf)$/);
      expect(t.handle, t.table).toBeTruthy();
    }
    expect(report.outbox).toEqual({ queued: 0, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 });
  });

  it('a second sync --once resumes the replica and brings the changes made meanwhile', async () => {
    await stack.sql.query(
      `update properties set access_notes = 'changed between CLI runs'
       where id = (select id from properties where organization_id = $1 order by id limit 1)`,
      [stack.user(EMAIL).orgId],
    );
    // The first run kept its session beside the replica, readable by this user only.
    expect(fs.statSync(`${file()}.session.json`).mode & 0o777).toBe(0o600);
    const families = async () =>
      Number(
        (
          await stack.sql.query('select count(distinct family_id) as n from app.refresh_tokens where user_id = $1', [
            stack.user(EMAIL).id,
          ])
        ).rows[0].n,
      );
    const before = await families();
    const r = await fieldline([...syncArgs(file()), '--password', DEMO_PASSWORD]);
    expect(r.code, explain(r)).toBe(0);
    expect(replicaView(file())).toEqual(await serverView());
    expect(await families()).toBe(before); // resumed the session: no new sign-in

    // A session that has ended (revoked on the server, access token due) is forgotten and the password signs in again.
    await stack.sql.query(
      `update app.refresh_tokens set revoked_at = now(), revoked_reason = 'logout' where user_id = $1`,
      [stack.user(EMAIL).id],
    );
    const sessionFile = `${file()}.session.json`;
    const stored = JSON.parse(fs.readFileSync(sessionFile, 'utf8')) as { tokens: { expiresAt: number } };
    stored.tokens.expiresAt = Date.now() - 1_000;
    fs.writeFileSync(sessionFile, JSON.stringify(stored));
    const again = await fieldline([...syncArgs(file()), '--password', DEMO_PASSWORD]);
    expect(again.code, explain(again)).toBe(0);
    expect(await families()).toBe(before + 1);
  });

  it('status of a missing replica: exit 2 with a clear message, and no file made', async () => {
    const missing = path.join(stack.dir, 'missing.db');
    const r = await fieldline(['status', '--db', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no replica at ${missing}; run \`fieldline sync\` first`);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('a wrong password: exit 1 with a message about the credentials, and no replica rows', async () => {
    const other = path.join(stack.dir, 'wrong-password.db');
    const r = await fieldline([...syncArgs(other), '--password', 'not-the-password']);
    expect(r.code, explain(r)).toBe(1);
    expect(r.stderr).toMatch(/credentials/i);
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
    if (fs.existsSync(other)) {
      const view = replicaView(other);
      for (const t of SYNCED_TABLES) expect(view[t.name]!.rows, t.name).toBe(0);
    }
  });

  it('a missing flag: exit 2 with a line naming it and the usage', async () => {
    const r = await fieldline(['sync', '--server', stack.gateway.url, '--email', EMAIL, '--db', file()]);
    expect(r.code).toBe(2);
    const [first] = r.stderr.split('\n');
    expect(first).toBe('fieldline sync: missing --password (or set FIELDLINE_PASSWORD)');
    expect(r.stderr).toContain('Usage: npm run fieldline -- <command>');
    expect(r.stdout).toBe('');
  });
});
