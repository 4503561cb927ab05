-- Authorization in the database. The rule set is shared/schema/tables.ts (`access`): who may
-- insert, update and delete each table; reading is for every active member of the row's
-- organization. sync/server/db/rls.test.ts checks the policies below against that rule set, table by table and role by role.
--
-- Membership is read from organization_members on every statement (not from the token), so a
-- removed or suspended member loses access at once. The helpers are SECURITY DEFINER, owned by
-- the operator, so they can read memberships without recursing into the members table's own RLS.

create function app.member_org_ids() returns uuid[]
  language sql stable security definer set search_path = ''
  as $$
    select coalesce(array_agg(m.organization_id), '{}')
    from public.organization_members m
    where m.user_id = auth.uid() and m.status = 'active'
  $$;

create function app.org_ids_with_role(roles text[]) returns uuid[]
  language sql stable security definer set search_path = ''
  as $$
    select coalesce(array_agg(m.organization_id), '{}')
    from public.organization_members m
    where m.user_id = auth.uid() and m.status = 'active' and m.role = any (roles)
  $$;

grant usage on schema app to authenticated;
revoke all on function app.member_org_ids() from public;
revoke all on function app.org_ids_with_role(text[]) from public;
grant execute on function app.member_org_ids() to authenticated;
grant execute on function app.org_ids_with_role(text[]) to authenticated;

-- Makes one table a tenant table: owner, grants, touch trigger, RLS enabled and forced, policies.
-- `(select …)` around the helpers makes Postgres evaluate them once per statement, not per row.
create function app.make_tenant_table(tbl regclass, scope_column text, insert_roles text[],
                                      update_roles text[], delete_roles text[]) returns void
  language plpgsql
  as $$
declare
  t text := tbl::text;
  p record;
  scope text := quote_ident(scope_column);
begin
  execute format('alter table %s owner to fieldline_owner', t);
  execute format('grant select, insert, update, delete on %s to authenticated', t);
  execute format('drop trigger if exists touch_row on %s', t);
  execute format('create trigger touch_row before insert or update on %s for each row execute function app.touch_row()', t);
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  for p in select polname from pg_policy where polrelid = tbl loop
    execute format('drop policy %I on %s', p.polname, t);
  end loop;
  execute format('create policy member_select on %s for select to authenticated using (%s = any ((select app.member_org_ids())::uuid[]))', t, scope);
  if cardinality(insert_roles) > 0 then
    execute format('create policy role_insert on %s for insert to authenticated with check (%s = any ((select app.org_ids_with_role(%L))::uuid[]))',
                   t, scope, insert_roles);
  end if;
  if cardinality(update_roles) > 0 then
    execute format('create policy role_update on %s for update to authenticated using (%s = any ((select app.org_ids_with_role(%L))::uuid[])) with check (%s = any ((select app.org_ids_with_role(%L))::uuid[]))',
                   t, scope, update_roles, scope, update_roles);
  end if;
  if cardinality(delete_roles) > 0 then
    execute format('create policy role_delete on %s for delete to authenticated using (%s = any ((select app.org_ids_with_role(%L))::uuid[]))',
                   t, scope, delete_roles);
  end if;
end
$$;

-- One line per synced table: insert, update, delete roles (mirrors shared/schema/tables.ts).
select app.make_tenant_table('organizations', 'id', '{}', '{owner,admin}', '{}');
select app.make_tenant_table('user_profiles', 'organization_id', '{owner,admin}', '{owner,admin}', '{owner,admin}');
select app.make_tenant_table('organization_members', 'organization_id', '{owner,admin}', '{owner,admin}', '{owner,admin}');
select app.make_tenant_table('accounts', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('properties', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('contacts', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('projects', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('project_members', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('device_types', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('devices', 'organization_id', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher}');
select app.make_tenant_table('tasks', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher}');
select app.make_tenant_table('task_subtasks', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher}');
select app.make_tenant_table('task_subtask_assignees', 'organization_id', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('task_activities', 'organization_id', '{owner,admin,dispatcher,technician}', '{}', '{}');
select app.make_tenant_table('task_devices', 'organization_id', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher}');
select app.make_tenant_table('files', 'organization_id', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('attachments', 'organization_id', '{owner,admin,dispatcher,technician}', '{owner,admin,dispatcher}', '{owner,admin,dispatcher}');
select app.make_tenant_table('activity_logs', 'organization_id', '{owner,admin,dispatcher,technician}', '{}', '{}');
