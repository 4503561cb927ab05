-- Gateway sign-in sessions (sync/server/gateway/auth/sessions.ts).
-- One login opens one refresh-token *family*; every refresh rotates to a new token in the same family
-- and marks the old one used. Presenting a used token again is treated as theft: the family is revoked.
-- Only sha256 hashes of the random tokens are stored, so a database dump cannot resume anyone's session.
-- Everything lives in schema app and is granted to nobody: `authenticated` can neither read nor write it.

alter table app.users add column last_sign_in_at timestamptz;

create table app.refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app.users (id) on delete cascade,
  family_id uuid not null,
  -- The membership the family was opened for (the access tokens' org_id). Deliberately no foreign key
  -- into the tenant tables: deleting an organization cascades to its members, whose trigger below revokes.
  organization_id uuid not null,
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text check (revoked_reason in ('logout', 'reuse_detected', 'membership_removed',
                                                'membership_suspended', 'no_membership', 'user_disabled')),
  user_agent text check (length(user_agent) <= 512),
  ip inet,
  check (expires_at > issued_at),
  check ((revoked_at is null) = (revoked_reason is null))
);
create index refresh_tokens_user_id_idx on app.refresh_tokens (user_id);
create index refresh_tokens_family_id_idx on app.refresh_tokens (family_id);

revoke all on app.refresh_tokens from public;
revoke all on app.refresh_tokens from authenticated;

-- A removed or suspended member loses the sessions opened for that organization at once (their
-- access tokens are refused per request by resolveMembership; this stops refreshes). SECURITY
-- DEFINER because admins remove members as `authenticated`, which has no rights on app.refresh_tokens.
create function app.revoke_member_sessions() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
begin
  if tg_op = 'DELETE' or (new.status = 'suspended' and old.status is distinct from 'suspended') then
    update app.refresh_tokens t
       set revoked_at = now(),
           revoked_reason = case tg_op when 'DELETE' then 'membership_removed' else 'membership_suspended' end
     where t.user_id = old.user_id
       and t.organization_id = old.organization_id
       and t.revoked_at is null;
  end if;
  return null;
end
$$;
revoke all on function app.revoke_member_sessions() from public;

create trigger revoke_member_sessions
  after delete or update of status on public.organization_members
  for each row execute function app.revoke_member_sessions();

-- Disabling a user ends every session they have.
create function app.revoke_disabled_user_sessions() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
begin
  if new.disabled_at is not null and old.disabled_at is null then
    update app.refresh_tokens t
       set revoked_at = now(), revoked_reason = 'user_disabled'
     where t.user_id = new.id and t.revoked_at is null;
  end if;
  return null;
end
$$;
revoke all on function app.revoke_disabled_user_sessions() from public;

create trigger revoke_disabled_user_sessions
  after update of disabled_at on app.users
  for each row execute function app.revoke_disabled_user_sessions();
