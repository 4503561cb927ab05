/** A demo-seeded test database with an auth session store over it, for the auth tests. */
import crypto from 'node:crypto';
import pg from 'pg';
import type { Role } from '../../../../shared/schema/roles.js';
import { hashPassword } from '../../auth/password.js';
import { DEMO_PASSWORD, type DemoUser } from '../../seed/demo-data.js';
import { loadDemo } from '../../seed/load.js';
import { connect, createTestDatabase } from '../../testing/pg.js';
import { type AuthSessions, createAuthSessions } from './sessions.js';

export { DEMO_PASSWORD };

export type AuthTestDatabase = {
  pool: pg.Pool;
  /** An operator (superuser) connection, for arranging and inspecting data behind the API's back. */
  admin: pg.Client;
  secret: Uint8Array;
  sessions: AuthSessions;
  demoUsers: DemoUser[];
  /** Organization ids by slug ('northwind', 'contoso'). */
  orgs: Record<string, string>;
  /** A new user with password DEMO_PASSWORD and the given memberships (in joining order). */
  addUser(memberships: { org: string; role: Role; status?: 'active' | 'suspended' }[]): Promise<TestUser>;
  close(): Promise<void>;
};

export type TestUser = { id: string; email: string };

let passwordHash: Promise<string> | undefined;

export async function createAuthTestDatabase(): Promise<AuthTestDatabase> {
  const db = await createTestDatabase('migrated');
  const admin = await connect(db.url);
  const loaded = await loadDemo(admin, { seed: 11, anchor: new Date('2026-03-15T00:00:00Z') });
  if (!loaded.loaded) throw new Error(`demo data not loaded: ${loaded.reason}`);
  const { rows } = await admin.query<{ slug: string; id: string }>('select slug, id from organizations');
  const orgs = Object.fromEntries(rows.map((r) => [r.slug, r.id]));
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  const secret = new TextEncoder().encode(crypto.randomBytes(32).toString('base64url'));
  let joined = Date.parse('2026-01-01T00:00:00Z');
  return {
    pool,
    admin,
    secret,
    sessions: createAuthSessions({ pool, secret }),
    demoUsers: loaded.users,
    orgs,
    async addUser(memberships) {
      const id = crypto.randomUUID();
      const email = `user-${id.slice(0, 8)}@test.invalid`;
      passwordHash ??= hashPassword(DEMO_PASSWORD);
      await admin.query('insert into app.users (id, email, password_hash, display_name) values ($1, $2, $3, $4)', [
        id,
        email,
        await passwordHash,
        `Test ${id.slice(0, 8)}`,
      ]);
      for (const m of memberships) {
        joined += 60_000; // distinct join times make the default membership the first one listed
        await admin.query(
          'insert into organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, $3, $4, $5)',
          [orgs[m.org], id, m.role, m.status ?? 'active', new Date(joined)],
        );
      }
      return { id, email };
    },
    async close() {
      await pool.end();
      await admin.end();
      await db.drop();
    },
  };
}
