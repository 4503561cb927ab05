-- Indexes for the desktop app's screens (electron/services/queries). Never edit after it lands; changes go in a
-- new numbered file. Measured on a --scale 100 replica (75k devices, 50k checklist items, dispatcher's view).

-- Device inventory (queries/device-search.ts): the list walks one of these in sort order and stops after the
-- window, and counts or searches serials without reading table rows. Partial (live rows only), because every
-- inventory query has `deleted_at IS NULL` and the plain indexes of 0003 would read each row to check it.
-- Page 1 sorted by serial: 85 ms → 0.3 ms; offset 50 000: 200 ms → 8 ms; total: 75 ms → 8 ms; serial search
-- (contains) with its total: 60 ms → 10 ms. Building the four on 75k rows takes ~0.2 s.
CREATE INDEX "devices_live_serial" ON "devices" ("serial_number" COLLATE NOCASE) WHERE "deleted_at" IS NULL;
CREATE INDEX "devices_live_status" ON "devices" ("status", "serial_number" COLLATE NOCASE) WHERE "deleted_at" IS NULL;
CREATE INDEX "devices_live_updated" ON "devices" ("updated_at") WHERE "deleted_at" IS NULL;
-- Devices of a site or an account, and the per-site device counts of the site list.
CREATE INDEX "devices_live_property" ON "devices" ("property_id") WHERE "deleted_at" IS NULL;

-- Children looked up by their parent (task detail, task summaries' checklist counts, site detail). Without them
-- SQLite builds an automatic index over the whole child table on every query (tasks:mine for 3,300 open
-- tasks: 100 ms → 20 ms).
CREATE INDEX "task_subtasks_task" ON "task_subtasks" ("task_id");
CREATE INDEX "task_devices_task" ON "task_devices" ("task_id");
CREATE INDEX "task_activities_task" ON "task_activities" ("task_id");
CREATE INDEX "tasks_property" ON "tasks" ("property_id");
CREATE INDEX "contacts_property" ON "contacts" ("property_id");
CREATE INDEX "contacts_account" ON "contacts" ("account_id");
CREATE INDEX "attachments_entity" ON "attachments" ("entity_id");
