import type pg from 'pg';

/** JWT claims as the RLS helpers read them (Supabase conventions: `sub` is the user id). */
export type Claims = { sub: string; role: 'authenticated'; org_id?: string; [k: string]: unknown };

/**
 * Runs `fn` in one transaction as the non-superuser `authenticated` role with the caller's claims,
 * so row-level security decides what it may read and write. Rolls back if `fn` throws.
 */
export async function asUser<T>(
  client: pg.ClientBase,
  claims: Claims,
  fn: (c: pg.ClientBase) => Promise<T>,
): Promise<T> {
  await client.query('begin');
  try {
    await client.query('set local role authenticated');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
}

export const userClaims = (userId: string, orgId?: string): Claims => ({
  sub: userId,
  role: 'authenticated',
  ...(orgId ? { org_id: orgId } : {}),
});
