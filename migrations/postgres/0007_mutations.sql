-- Bookkeeping of POST /v1/mutations (sync/server/gateway/mutations). Not synced: schema app.
--
-- app.processed_mutations: one row per mutation id the gateway has decided, written in the same
-- transaction as the change it made (or in the transaction that rolled the change back, for a
-- rejection). A retried upload finds its id here and gets the stored result back, so every mutation
-- applies exactly once; the same id with a different payload hash is refused (`id_reused`).
--
-- app.mutation_conflicts: the audit trail of every column changed on both sides, and how the
-- per-column policy (shared/sync/conflict-policy.ts) resolved it.
--
-- Both are written by the gateway *as the caller* (role `authenticated`, claims set), never as the
-- operator, so RLS is forced on them like on the tenant tables:
--   insert: only rows of the caller themselves, in an organization they are an active member of;
--   select: the caller's own rows in their organizations, and every row of an organization to its
--           owners and admins (for support and audit);
--   update, delete: nobody (no grant, no policy): a stored result is never rewritten.
-- No caller can read or write another organization's rows.

create table app.processed_mutations (
  id uuid primary key,
  client_id uuid not null,
  user_id uuid not null references app.users (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  -- SHA-256 (hex) of the mutation as uploaded (table, op, pk, values, base, tx), canonical JSON.
  payload_hash text not null check (payload_hash ~ '^[0-9a-f]{64}$'),
  status text not null check (status in ('applied', 'conflict', 'rejected')),
  -- The result exactly as answered (shared/sync/mutations.ts mutationResultSchema).
  result jsonb not null,
  -- pg_current_xact_id()::xid of the transaction that wrote the change; null when nothing was written.
  txid bigint,
  created_at timestamptz not null default now()
);
create index processed_mutations_organization_id_idx on app.processed_mutations (organization_id, created_at);
create index processed_mutations_user_id_idx on app.processed_mutations (user_id, created_at);

create table app.mutation_conflicts (
  id uuid primary key default gen_random_uuid(),
  mutation_id uuid not null references app.processed_mutations (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references app.users (id) on delete cascade,
  table_name text not null,
  pk jsonb not null,
  column_name text not null,
  -- Values in the form the shape stream delivers them (JSON null for SQL NULL).
  base jsonb not null,
  server jsonb not null,
  mine jsonb not null,
  result jsonb not null,
  resolution text not null check (resolution in ('server', 'client', 'merged', 'manual')),
  rule text,
  created_at timestamptz not null default now()
);
create index mutation_conflicts_mutation_id_idx on app.mutation_conflicts (mutation_id);
create index mutation_conflicts_organization_id_idx on app.mutation_conflicts (organization_id, created_at);
create index mutation_conflicts_user_id_idx on app.mutation_conflicts (user_id);

-- fieldline_owner owns both tables and so runs their foreign-key checks and cascades, which look up
-- rows in schema app.
grant usage on schema app to fieldline_owner;

do $$
declare
  t text;
begin
  foreach t in array array['app.processed_mutations', 'app.mutation_conflicts'] loop
    execute format('alter table %s owner to fieldline_owner', t);
    execute format('revoke all on %s from public', t);
    execute format('grant select, insert on %s to authenticated', t);
    execute format('alter table %s enable row level security', t);
    execute format('alter table %s force row level security', t);
    execute format($p$create policy own_insert on %s for insert to authenticated
                      with check (user_id = (select auth.uid())
                                  and organization_id = any ((select app.member_org_ids())::uuid[]))$p$, t);
    execute format($p$create policy own_or_admin_select on %s for select to authenticated
                      using ((user_id = (select auth.uid())
                              and organization_id = any ((select app.member_org_ids())::uuid[]))
                             or organization_id = any ((select app.org_ids_with_role('{owner,admin}'))::uuid[]))$p$, t);
  end loop;
end
$$;

-- Which of these mutation ids are taken, by anyone. A caller sees only their own rows (and admins
-- their organization's), but an id is one key space: one used by someone else must be refused as
-- `id_reused` rather than replayed or left to fail on the primary key. Reveals nothing but whether
-- a random UUID was used. The gateway holds a transaction advisory lock per id while it decides,
-- so the answer stays true until its transaction ends.
create function app.taken_mutation_ids(ids uuid[]) returns setof uuid
  language sql stable security definer set search_path = ''
  as $$ select p.id from app.processed_mutations p where p.id = any (ids) $$;
revoke all on function app.taken_mutation_ids(uuid[]) from public;
grant execute on function app.taken_mutation_ids(uuid[]) to authenticated;
