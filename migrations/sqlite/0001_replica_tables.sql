-- Replica domain tables, one per synced table. Generated from shared/schema/tables.ts by `npm run gen:sqlite`.
-- Never edit after it lands; schema changes go in a new numbered file.

CREATE TABLE "organizations" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "slug" TEXT NOT NULL,
  "timezone" TEXT NOT NULL,
  "settings" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "user_profiles" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "user_id" TEXT NOT NULL,
  "display_name" TEXT NOT NULL,
  "email" TEXT NOT NULL,
  "phone" TEXT,
  "job_title" TEXT,
  "avatar_url" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "organization_members" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "user_id" TEXT NOT NULL,
  "role" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "invited_by" TEXT,
  "joined_at" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "accounts" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "account_number" TEXT,
  "account_type" TEXT NOT NULL,
  "billing_email" TEXT,
  "phone" TEXT,
  "billing_address" TEXT,
  "monthly_rate_cents" INTEGER,
  "notes" TEXT,
  "created_by" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "properties" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "account_id" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "address_line1" TEXT NOT NULL,
  "address_line2" TEXT,
  "city" TEXT NOT NULL,
  "region" TEXT NOT NULL,
  "postal_code" TEXT NOT NULL,
  "country_code" TEXT NOT NULL,
  "latitude" REAL,
  "longitude" REAL,
  "site_type" TEXT,
  "access_notes" TEXT,
  "created_by" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "contacts" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "account_id" TEXT NOT NULL,
  "property_id" TEXT,
  "first_name" TEXT NOT NULL,
  "last_name" TEXT NOT NULL,
  "title" TEXT,
  "email" TEXT,
  "phone" TEXT,
  "mobile" TEXT,
  "is_primary" INTEGER NOT NULL,
  "is_after_hours" INTEGER NOT NULL,
  "notes" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "projects" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "account_id" TEXT NOT NULL,
  "property_id" TEXT,
  "code" TEXT,
  "name" TEXT NOT NULL,
  "description" TEXT,
  "status" TEXT NOT NULL,
  "start_date" TEXT,
  "due_date" TEXT,
  "budget_cents" INTEGER,
  "created_by" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "project_members" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "project_id" TEXT NOT NULL,
  "user_id" TEXT NOT NULL,
  "role" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "device_types" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "category" TEXT NOT NULL,
  "manufacturer" TEXT NOT NULL,
  "model" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "is_networked" INTEGER NOT NULL,
  "default_warranty_months" INTEGER,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "devices" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "property_id" TEXT NOT NULL,
  "device_type_id" TEXT NOT NULL,
  "serial_number" TEXT NOT NULL,
  "label" TEXT,
  "status" TEXT NOT NULL,
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
  "attributes" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "tasks" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "project_id" TEXT,
  "property_id" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "description" TEXT,
  "status" TEXT NOT NULL,
  "priority" TEXT NOT NULL,
  "assignee_id" TEXT,
  "due_at" TEXT,
  "scheduled_start" TEXT,
  "estimated_minutes" INTEGER,
  "notes" TEXT,
  "tags" TEXT NOT NULL,
  "completed_at" TEXT,
  "completed_by" TEXT,
  "created_by" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "task_subtasks" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "task_id" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "position" INTEGER NOT NULL,
  "is_completed" INTEGER NOT NULL,
  "completed_at" TEXT,
  "completed_by" TEXT,
  "notes" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "task_subtask_assignees" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "subtask_id" TEXT NOT NULL,
  "user_id" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "task_activities" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "task_id" TEXT NOT NULL,
  "user_id" TEXT,
  "action" TEXT NOT NULL,
  "description" TEXT,
  "metadata" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "task_devices" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "task_id" TEXT NOT NULL,
  "device_id" TEXT NOT NULL,
  "action" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;

CREATE TABLE "files" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "mime_type" TEXT NOT NULL,
  "size_bytes" INTEGER NOT NULL,
  "checksum_sha256" TEXT NOT NULL,
  "storage_key" TEXT NOT NULL,
  "upload_status" TEXT NOT NULL,
  "uploaded_by" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "attachments" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "file_id" TEXT NOT NULL,
  "entity_type" TEXT NOT NULL,
  "entity_id" TEXT NOT NULL,
  "caption" TEXT,
  "created_by" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL,
  "deleted_at" TEXT
) STRICT;

CREATE TABLE "activity_logs" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "organization_id" TEXT NOT NULL,
  "user_id" TEXT,
  "entity_type" TEXT NOT NULL,
  "entity_id" TEXT NOT NULL,
  "action" TEXT NOT NULL,
  "changes" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  "row_version" INTEGER NOT NULL
) STRICT;
