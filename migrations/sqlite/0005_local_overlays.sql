-- Local edits: an overlay table and a merged view per synced table. Generated from shared/schema/tables.ts
-- by `npm run gen:sqlite`. Never edit after it lands; changes go in a new numbered file.

CREATE TABLE "local_organizations" (
  "id" TEXT NOT NULL,
  "name" TEXT,
  "slug" TEXT,
  "timezone" TEXT,
  "settings" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "organizations_view" AS
  SELECT "id", "name", "slug", "timezone", "settings", "created_at", "updated_at", "row_version" FROM "local_organizations" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."name", s."slug", s."timezone", s."settings", s."created_at", s."updated_at", s."row_version" FROM "organizations" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_organizations" AS o WHERE o."id" = s."id");

CREATE TABLE "local_user_profiles" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "user_id" TEXT,
  "display_name" TEXT,
  "email" TEXT,
  "phone" TEXT,
  "job_title" TEXT,
  "avatar_url" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "user_profiles_view" AS
  SELECT "id", "organization_id", "user_id", "display_name", "email", "phone", "job_title", "avatar_url", "created_at", "updated_at", "row_version" FROM "local_user_profiles" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."user_id", s."display_name", s."email", s."phone", s."job_title", s."avatar_url", s."created_at", s."updated_at", s."row_version" FROM "user_profiles" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_user_profiles" AS o WHERE o."id" = s."id");

CREATE TABLE "local_organization_members" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "user_id" TEXT,
  "role" TEXT,
  "status" TEXT,
  "invited_by" TEXT,
  "joined_at" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "organization_members_view" AS
  SELECT "id", "organization_id", "user_id", "role", "status", "invited_by", "joined_at", "created_at", "updated_at", "row_version" FROM "local_organization_members" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."user_id", s."role", s."status", s."invited_by", s."joined_at", s."created_at", s."updated_at", s."row_version" FROM "organization_members" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_organization_members" AS o WHERE o."id" = s."id");

CREATE TABLE "local_accounts" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "name" TEXT,
  "account_number" TEXT,
  "account_type" TEXT,
  "billing_email" TEXT,
  "phone" TEXT,
  "billing_address" TEXT,
  "monthly_rate_cents" INTEGER,
  "notes" TEXT,
  "created_by" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "accounts_view" AS
  SELECT "id", "organization_id", "name", "account_number", "account_type", "billing_email", "phone", "billing_address", "monthly_rate_cents", "notes", "created_by", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_accounts" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."name", s."account_number", s."account_type", s."billing_email", s."phone", s."billing_address", s."monthly_rate_cents", s."notes", s."created_by", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "accounts" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_accounts" AS o WHERE o."id" = s."id");

CREATE TABLE "local_properties" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "account_id" TEXT,
  "name" TEXT,
  "address_line1" TEXT,
  "address_line2" TEXT,
  "city" TEXT,
  "region" TEXT,
  "postal_code" TEXT,
  "country_code" TEXT,
  "latitude" REAL,
  "longitude" REAL,
  "site_type" TEXT,
  "access_notes" TEXT,
  "created_by" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "properties_view" AS
  SELECT "id", "organization_id", "account_id", "name", "address_line1", "address_line2", "city", "region", "postal_code", "country_code", "latitude", "longitude", "site_type", "access_notes", "created_by", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_properties" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."account_id", s."name", s."address_line1", s."address_line2", s."city", s."region", s."postal_code", s."country_code", s."latitude", s."longitude", s."site_type", s."access_notes", s."created_by", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "properties" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_properties" AS o WHERE o."id" = s."id");

CREATE TABLE "local_contacts" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "account_id" TEXT,
  "property_id" TEXT,
  "first_name" TEXT,
  "last_name" TEXT,
  "title" TEXT,
  "email" TEXT,
  "phone" TEXT,
  "mobile" TEXT,
  "is_primary" INTEGER,
  "is_after_hours" INTEGER,
  "notes" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "contacts_view" AS
  SELECT "id", "organization_id", "account_id", "property_id", "first_name", "last_name", "title", "email", "phone", "mobile", "is_primary", "is_after_hours", "notes", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_contacts" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."account_id", s."property_id", s."first_name", s."last_name", s."title", s."email", s."phone", s."mobile", s."is_primary", s."is_after_hours", s."notes", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "contacts" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_contacts" AS o WHERE o."id" = s."id");

CREATE TABLE "local_projects" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "account_id" TEXT,
  "property_id" TEXT,
  "code" TEXT,
  "name" TEXT,
  "description" TEXT,
  "status" TEXT,
  "start_date" TEXT,
  "due_date" TEXT,
  "budget_cents" INTEGER,
  "created_by" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "projects_view" AS
  SELECT "id", "organization_id", "account_id", "property_id", "code", "name", "description", "status", "start_date", "due_date", "budget_cents", "created_by", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_projects" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."account_id", s."property_id", s."code", s."name", s."description", s."status", s."start_date", s."due_date", s."budget_cents", s."created_by", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "projects" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_projects" AS o WHERE o."id" = s."id");

CREATE TABLE "local_project_members" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "project_id" TEXT,
  "user_id" TEXT,
  "role" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "project_members_view" AS
  SELECT "id", "organization_id", "project_id", "user_id", "role", "created_at", "updated_at", "row_version" FROM "local_project_members" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."project_id", s."user_id", s."role", s."created_at", s."updated_at", s."row_version" FROM "project_members" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_project_members" AS o WHERE o."id" = s."id");

CREATE TABLE "local_device_types" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "category" TEXT,
  "manufacturer" TEXT,
  "model" TEXT,
  "name" TEXT,
  "is_networked" INTEGER,
  "default_warranty_months" INTEGER,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "device_types_view" AS
  SELECT "id", "organization_id", "category", "manufacturer", "model", "name", "is_networked", "default_warranty_months", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_device_types" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."category", s."manufacturer", s."model", s."name", s."is_networked", s."default_warranty_months", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "device_types" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_device_types" AS o WHERE o."id" = s."id");

CREATE TABLE "local_devices" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "property_id" TEXT,
  "device_type_id" TEXT,
  "serial_number" TEXT,
  "label" TEXT,
  "status" TEXT,
  "location" TEXT,
  "floor" TEXT,
  "zone" TEXT,
  "mac_address" TEXT,
  "ip_address" TEXT,
  "firmware_version" TEXT,
  "install_date" TEXT,
  "installed_by" TEXT,
  "warranty_expires_on" TEXT,
  "notes" TEXT,
  "attributes" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "devices_view" AS
  SELECT "id", "organization_id", "property_id", "device_type_id", "serial_number", "label", "status", "location", "floor", "zone", "mac_address", "ip_address", "firmware_version", "install_date", "installed_by", "warranty_expires_on", "notes", "attributes", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_devices" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."property_id", s."device_type_id", s."serial_number", s."label", s."status", s."location", s."floor", s."zone", s."mac_address", s."ip_address", s."firmware_version", s."install_date", s."installed_by", s."warranty_expires_on", s."notes", s."attributes", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "devices" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_devices" AS o WHERE o."id" = s."id");

CREATE TABLE "local_tasks" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "project_id" TEXT,
  "property_id" TEXT,
  "title" TEXT,
  "description" TEXT,
  "status" TEXT,
  "priority" TEXT,
  "assignee_id" TEXT,
  "due_at" TEXT,
  "scheduled_start" TEXT,
  "estimated_minutes" INTEGER,
  "notes" TEXT,
  "tags" TEXT,
  "completed_at" TEXT,
  "completed_by" TEXT,
  "created_by" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "tasks_view" AS
  SELECT "id", "organization_id", "project_id", "property_id", "title", "description", "status", "priority", "assignee_id", "due_at", "scheduled_start", "estimated_minutes", "notes", "tags", "completed_at", "completed_by", "created_by", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_tasks" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."project_id", s."property_id", s."title", s."description", s."status", s."priority", s."assignee_id", s."due_at", s."scheduled_start", s."estimated_minutes", s."notes", s."tags", s."completed_at", s."completed_by", s."created_by", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "tasks" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_tasks" AS o WHERE o."id" = s."id");

CREATE TABLE "local_task_subtasks" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "task_id" TEXT,
  "title" TEXT,
  "position" INTEGER,
  "is_completed" INTEGER,
  "completed_at" TEXT,
  "completed_by" TEXT,
  "notes" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "task_subtasks_view" AS
  SELECT "id", "organization_id", "task_id", "title", "position", "is_completed", "completed_at", "completed_by", "notes", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_task_subtasks" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."task_id", s."title", s."position", s."is_completed", s."completed_at", s."completed_by", s."notes", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "task_subtasks" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_task_subtasks" AS o WHERE o."id" = s."id");

CREATE TABLE "local_task_subtask_assignees" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "subtask_id" TEXT,
  "user_id" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "task_subtask_assignees_view" AS
  SELECT "id", "organization_id", "subtask_id", "user_id", "created_at", "updated_at", "row_version" FROM "local_task_subtask_assignees" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."subtask_id", s."user_id", s."created_at", s."updated_at", s."row_version" FROM "task_subtask_assignees" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_task_subtask_assignees" AS o WHERE o."id" = s."id");

CREATE TABLE "local_task_activities" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "task_id" TEXT,
  "user_id" TEXT,
  "action" TEXT,
  "description" TEXT,
  "metadata" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "task_activities_view" AS
  SELECT "id", "organization_id", "task_id", "user_id", "action", "description", "metadata", "created_at", "updated_at", "row_version" FROM "local_task_activities" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."task_id", s."user_id", s."action", s."description", s."metadata", s."created_at", s."updated_at", s."row_version" FROM "task_activities" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_task_activities" AS o WHERE o."id" = s."id");

CREATE TABLE "local_task_devices" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "task_id" TEXT,
  "device_id" TEXT,
  "action" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "task_devices_view" AS
  SELECT "id", "organization_id", "task_id", "device_id", "action", "created_at", "updated_at", "row_version" FROM "local_task_devices" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."task_id", s."device_id", s."action", s."created_at", s."updated_at", s."row_version" FROM "task_devices" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_task_devices" AS o WHERE o."id" = s."id");

CREATE TABLE "local_files" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "name" TEXT,
  "mime_type" TEXT,
  "size_bytes" INTEGER,
  "checksum_sha256" TEXT,
  "storage_key" TEXT,
  "upload_status" TEXT,
  "uploaded_by" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "files_view" AS
  SELECT "id", "organization_id", "name", "mime_type", "size_bytes", "checksum_sha256", "storage_key", "upload_status", "uploaded_by", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_files" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."name", s."mime_type", s."size_bytes", s."checksum_sha256", s."storage_key", s."upload_status", s."uploaded_by", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "files" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_files" AS o WHERE o."id" = s."id");

CREATE TABLE "local_attachments" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "file_id" TEXT,
  "entity_type" TEXT,
  "entity_id" TEXT,
  "caption" TEXT,
  "created_by" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "deleted_at" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "attachments_view" AS
  SELECT "id", "organization_id", "file_id", "entity_type", "entity_id", "caption", "created_by", "created_at", "updated_at", "row_version", "deleted_at" FROM "local_attachments" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."file_id", s."entity_type", s."entity_id", s."caption", s."created_by", s."created_at", s."updated_at", s."row_version", s."deleted_at" FROM "attachments" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_attachments" AS o WHERE o."id" = s."id");

CREATE TABLE "local_activity_logs" (
  "id" TEXT NOT NULL,
  "organization_id" TEXT,
  "user_id" TEXT,
  "entity_type" TEXT,
  "entity_id" TEXT,
  "action" TEXT,
  "changes" TEXT,
  "created_at" TEXT,
  "updated_at" TEXT,
  "row_version" INTEGER,
  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1)),
  PRIMARY KEY ("id")
) STRICT;

CREATE VIEW "activity_logs_view" AS
  SELECT "id", "organization_id", "user_id", "entity_type", "entity_id", "action", "changes", "created_at", "updated_at", "row_version" FROM "local_activity_logs" WHERE "_deleted" = 0
  UNION ALL
  SELECT s."id", s."organization_id", s."user_id", s."entity_type", s."entity_id", s."action", s."changes", s."created_at", s."updated_at", s."row_version" FROM "activity_logs" AS s
  WHERE NOT EXISTS (SELECT 1 FROM "local_activity_logs" AS o WHERE o."id" = s."id");
