-- Sync-owned state of the replica, kept apart from the domain tables by the sync_ prefix.
-- Never edit after it lands; changes go in a new numbered file.

-- One row per synced table: where its shape stream resumes. Written in the same transaction as
-- the batch of changes it describes, so a crash never leaves rows and offset out of step.
CREATE TABLE "sync_shapes" (
  "table_name" TEXT NOT NULL PRIMARY KEY,
  -- Electric shape handle and log offset of the last committed batch (resume point).
  "handle" TEXT NOT NULL,
  "offset" TEXT NOT NULL,
  -- The electric-schema header (JSON) last seen for this shape, for diagnostics.
  "schema" TEXT,
  -- ISO time of the last committed up-to-date batch.
  "last_up_to_date_at" TEXT,
  -- Rows of the table held for this shape, and response bytes received since its last (re)fetch.
  "row_count" INTEGER NOT NULL DEFAULT 0,
  "bytes" INTEGER NOT NULL DEFAULT 0
) STRICT;
