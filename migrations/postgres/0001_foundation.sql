-- Foundation: private schemas, roles, Supabase-compatible auth helpers, shared trigger functions.
-- Runs as the operator (a superuser on the embedded Postgres; `postgres` on Supabase).

create schema if not exists app;   -- server-private: users, credentials, bookkeeping; never synced
create schema if not exists auth;  -- Supabase-compatible helpers (auth.uid(), auth.jwt(), auth.role())

-- Roles are cluster-wide, so create them only when missing (several databases may share a cluster).
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    -- The role the gateway switches to (SET LOCAL ROLE) for every user request: RLS applies in full.
    create role authenticated nologin noinherit nobypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'fieldline_owner') then
    -- Owns the tenant tables. Not a superuser and without BYPASSRLS, so FORCE ROW LEVEL SECURITY binds it too.
    create role fieldline_owner nologin noinherit nobypassrls;
  end if;
end
$$;

-- Supabase-compatible claim readers. Supabase already ships these; keep theirs where present.
do $$
begin
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
      language sql stable
      as $f$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $f$;
  end if;
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
      language sql stable
      as $f$ select nullif(coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                                     auth.jwt() ->> 'sub'), '')::uuid $f$;
  end if;
  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
      language sql stable
      as $f$ select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), auth.jwt() ->> 'role') $f$;
  end if;
end
$$;

grant usage on schema auth to authenticated;
grant execute on all functions in schema auth to authenticated;

-- Accounts that can sign in. Password hashes are scrypt (see sync/server/auth/password.ts).
create table app.users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = lower(email) and position('@' in email) > 1),
  password_hash text not null,
  display_name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  disabled_at timestamptz
);
create unique index users_email_key on app.users (email);

-- Keeps updated_at and row_version honest whatever the client sends.
create function app.touch_row() returns trigger
  language plpgsql
  as $$
begin
  if tg_op = 'INSERT' then
    new.created_at := coalesce(new.created_at, now());
    new.updated_at := now();
    new.row_version := 1;
  else
    new.created_at := old.created_at;
    new.updated_at := now();
    new.row_version := old.row_version + 1;
  end if;
  return new;
end
$$;
