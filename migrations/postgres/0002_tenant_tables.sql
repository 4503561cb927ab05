-- The field-service tables. Mirrors shared/schema/tables.ts; schema-drift.test.ts fails on any difference.
-- Conventions: uuid keys, organization_id on every tenant table (indexed), timestamptz, integer cents,
-- jsonb for flexible fields, soft delete via deleted_at where history matters.
-- References between tenant rows are composite (organization_id, id) so a row can never point
-- into another organization, whatever RLS lets a caller see.

create table organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(trim(name)) > 0),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]*$'),
  timezone text not null default 'UTC',
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1
);

create table organization_members (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  user_id uuid not null references app.users (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'dispatcher', 'technician')),
  status text not null default 'active' check (status in ('active', 'suspended')),
  invited_by uuid references app.users (id) on delete set null,
  joined_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  unique (organization_id, user_id)
);
create index organization_members_user_id_idx on organization_members (user_id);
create index organization_members_invited_by_idx on organization_members (invited_by);

create table user_profiles (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  user_id uuid not null references app.users (id) on delete cascade,
  display_name text not null,
  email text not null,
  phone text,
  job_title text,
  avatar_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  unique (organization_id, user_id)
);
create index user_profiles_user_id_idx on user_profiles (user_id);

create table accounts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  name text not null check (length(trim(name)) > 0),
  account_number text,
  account_type text not null default 'commercial'
    check (account_type in ('commercial', 'residential', 'government', 'education', 'healthcare', 'industrial')),
  billing_email text,
  phone text,
  billing_address text,
  monthly_rate_cents integer check (monthly_rate_cents >= 0),
  notes text,
  created_by uuid references app.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id)
);
create index accounts_organization_id_idx on accounts (organization_id);
create index accounts_created_by_idx on accounts (created_by);
create unique index accounts_account_number_key on accounts (organization_id, account_number)
  where account_number is not null and deleted_at is null;

create table properties (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  account_id uuid not null,
  name text not null,
  address_line1 text not null,
  address_line2 text,
  city text not null,
  region text not null,
  postal_code text not null,
  country_code text not null default 'US' check (country_code ~ '^[A-Z]{2}$'),
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  site_type text,
  access_notes text,
  access_codes text,
  created_by uuid references app.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id),
  foreign key (organization_id, account_id) references accounts (organization_id, id)
);
create index properties_organization_id_idx on properties (organization_id);
create index properties_account_id_idx on properties (organization_id, account_id);
create index properties_created_by_idx on properties (created_by);

create table contacts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  account_id uuid not null,
  property_id uuid,
  first_name text not null,
  last_name text not null,
  title text,
  email text,
  phone text,
  mobile text,
  is_primary boolean not null default false,
  is_after_hours boolean not null default false,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  foreign key (organization_id, account_id) references accounts (organization_id, id),
  foreign key (organization_id, property_id) references properties (organization_id, id)
);
create index contacts_organization_id_idx on contacts (organization_id);
create index contacts_account_id_idx on contacts (organization_id, account_id);
create index contacts_property_id_idx on contacts (organization_id, property_id);

create table projects (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  account_id uuid not null,
  property_id uuid,
  code text,
  name text not null,
  description text,
  status text not null default 'planned' check (status in ('planned', 'active', 'on_hold', 'completed', 'cancelled')),
  start_date date,
  due_date date,
  budget_cents bigint check (budget_cents >= 0),
  created_by uuid references app.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id),
  foreign key (organization_id, account_id) references accounts (organization_id, id),
  foreign key (organization_id, property_id) references properties (organization_id, id)
);
create index projects_organization_id_idx on projects (organization_id);
create index projects_account_id_idx on projects (organization_id, account_id);
create index projects_property_id_idx on projects (organization_id, property_id);
create index projects_created_by_idx on projects (created_by);

create table project_members (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  project_id uuid not null,
  user_id uuid not null,
  role text not null default 'installer' check (role in ('lead', 'installer', 'observer')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  unique (project_id, user_id),
  foreign key (organization_id, project_id) references projects (organization_id, id) on delete cascade,
  foreign key (organization_id, user_id) references organization_members (organization_id, user_id) on delete cascade
);
create index project_members_organization_id_idx on project_members (organization_id);
create index project_members_project_id_idx on project_members (organization_id, project_id);
create index project_members_user_id_idx on project_members (organization_id, user_id);

create table device_types (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  category text not null check (category in ('camera', 'nvr', 'access_reader', 'door_contact', 'motion_sensor',
                                             'glass_break', 'panel', 'keypad', 'siren', 'other')),
  manufacturer text not null,
  model text not null,
  name text not null,
  is_networked boolean not null default false,
  default_warranty_months integer check (default_warranty_months >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id)
);
create index device_types_organization_id_idx on device_types (organization_id);

create table devices (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  property_id uuid not null,
  device_type_id uuid not null,
  serial_number text not null check (length(trim(serial_number)) > 0),
  label text,
  status text not null default 'installed'
    check (status in ('planned', 'installed', 'active', 'faulty', 'offline', 'removed')),
  location text,
  floor text,
  zone text,
  mac_address macaddr,
  ip_address inet,
  firmware_version text,
  install_date date,
  installed_by uuid references app.users (id) on delete set null,
  warranty_expires_on date,
  notes text,
  attributes jsonb not null default '{}',
  admin_credentials text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id),
  foreign key (organization_id, property_id) references properties (organization_id, id),
  foreign key (organization_id, device_type_id) references device_types (organization_id, id)
);
create index devices_organization_id_idx on devices (organization_id);
create index devices_property_id_idx on devices (organization_id, property_id);
create index devices_device_type_id_idx on devices (organization_id, device_type_id);
create index devices_installed_by_idx on devices (installed_by);
-- One live device per serial number in an organization (case-insensitive).
create unique index devices_serial_number_key on devices (organization_id, lower(serial_number)) where deleted_at is null;

create table tasks (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  project_id uuid,
  property_id uuid not null,
  title text not null check (length(trim(title)) > 0),
  description text,
  status text not null default 'open' check (status in ('open', 'scheduled', 'in_progress', 'blocked', 'done', 'cancelled')),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  assignee_id uuid,
  due_at timestamptz,
  scheduled_start timestamptz,
  estimated_minutes integer check (estimated_minutes > 0),
  notes text,
  tags text[] not null default '{}',
  completed_at timestamptz,
  completed_by uuid references app.users (id) on delete set null,
  created_by uuid references app.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id),
  foreign key (organization_id, project_id) references projects (organization_id, id),
  foreign key (organization_id, property_id) references properties (organization_id, id),
  -- The assignee must be a member; removing the member unassigns the task.
  foreign key (organization_id, assignee_id) references organization_members (organization_id, user_id)
    on delete set null (assignee_id)
);
create index tasks_organization_id_idx on tasks (organization_id);
create index tasks_project_id_idx on tasks (organization_id, project_id);
create index tasks_property_id_idx on tasks (organization_id, property_id);
create index tasks_assignee_due_idx on tasks (organization_id, assignee_id, due_at);
create index tasks_completed_by_idx on tasks (completed_by);
create index tasks_created_by_idx on tasks (created_by);

create table task_subtasks (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  task_id uuid not null,
  title text not null,
  position integer not null default 0,
  is_completed boolean not null default false,
  completed_at timestamptz,
  completed_by uuid references app.users (id) on delete set null,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id),
  foreign key (organization_id, task_id) references tasks (organization_id, id) on delete cascade
);
create index task_subtasks_organization_id_idx on task_subtasks (organization_id);
create index task_subtasks_task_id_idx on task_subtasks (organization_id, task_id, position);
create index task_subtasks_completed_by_idx on task_subtasks (completed_by);

create table task_subtask_assignees (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  subtask_id uuid not null,
  user_id uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  unique (subtask_id, user_id),
  foreign key (organization_id, subtask_id) references task_subtasks (organization_id, id) on delete cascade,
  foreign key (organization_id, user_id) references organization_members (organization_id, user_id) on delete cascade
);
create index task_subtask_assignees_organization_id_idx on task_subtask_assignees (organization_id);
create index task_subtask_assignees_subtask_id_idx on task_subtask_assignees (organization_id, subtask_id);
create index task_subtask_assignees_user_id_idx on task_subtask_assignees (organization_id, user_id);

create table task_activities (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  task_id uuid not null,
  user_id uuid references app.users (id) on delete set null,
  action text not null check (action in ('created', 'status_changed', 'assigned', 'comment', 'checklist', 'device', 'file')),
  description text,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  foreign key (organization_id, task_id) references tasks (organization_id, id) on delete cascade
);
create index task_activities_organization_id_idx on task_activities (organization_id);
create index task_activities_task_id_idx on task_activities (organization_id, task_id, created_at);
create index task_activities_user_id_idx on task_activities (user_id);

create table task_devices (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  task_id uuid not null,
  device_id uuid not null,
  action text not null default 'install' check (action in ('install', 'service', 'inspect', 'replace', 'remove')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  unique (task_id, device_id),
  foreign key (organization_id, task_id) references tasks (organization_id, id) on delete cascade,
  foreign key (organization_id, device_id) references devices (organization_id, id) on delete cascade
);
create index task_devices_organization_id_idx on task_devices (organization_id);
create index task_devices_task_id_idx on task_devices (organization_id, task_id);
create index task_devices_device_id_idx on task_devices (organization_id, device_id);

create table files (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  name text not null,
  mime_type text not null check (mime_type ~ '^[a-z0-9.+-]+/[a-zA-Z0-9.+-]+$'),
  size_bytes bigint not null check (size_bytes >= 0),
  checksum_sha256 text not null check (checksum_sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text not null,
  upload_status text not null default 'pending' check (upload_status in ('pending', 'uploaded', 'failed')),
  uploaded_by uuid references app.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  unique (organization_id, id),
  unique (storage_key)
);
create index files_organization_id_idx on files (organization_id);
create index files_uploaded_by_idx on files (uploaded_by);

create table attachments (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  file_id uuid not null,
  entity_type text not null check (entity_type in ('account', 'property', 'project', 'task', 'task_subtask', 'device')),
  entity_id uuid not null,
  caption text,
  created_by uuid references app.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1,
  deleted_at timestamptz,
  foreign key (organization_id, file_id) references files (organization_id, id) on delete cascade
);
create index attachments_organization_id_idx on attachments (organization_id);
create index attachments_file_id_idx on attachments (organization_id, file_id);
create index attachments_entity_idx on attachments (organization_id, entity_type, entity_id);
create index attachments_created_by_idx on attachments (created_by);

create table activity_logs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  user_id uuid references app.users (id) on delete set null,
  entity_type text not null,
  entity_id uuid not null,
  action text not null,
  changes jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  row_version bigint not null default 1
);
create index activity_logs_organization_id_idx on activity_logs (organization_id);
create index activity_logs_entity_idx on activity_logs (organization_id, entity_type, entity_id);
create index activity_logs_user_id_idx on activity_logs (user_id);
