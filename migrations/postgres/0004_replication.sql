-- What sync needs: old values in the WAL for every change, and one publication of the synced tables.
do $$
declare
  t text;
  synced text[] := array['organizations', 'user_profiles', 'organization_members', 'accounts', 'properties',
                         'contacts', 'projects', 'project_members', 'device_types', 'devices', 'tasks',
                         'task_subtasks', 'task_subtask_assignees', 'task_activities', 'task_devices', 'files',
                         'attachments', 'activity_logs'];
begin
  foreach t in array synced loop
    execute format('alter table %I replica identity full', t);
  end loop;
  if not exists (select 1 from pg_publication where pubname = 'fieldline_sync') then
    execute 'create publication fieldline_sync for table ' ||
            (select string_agg(format('%I', x), ', ') from unnest(synced) x);
  end if;
end
$$;
