-- Flat memory for large atomic batches. Once a table has been up to date, every batch up to the
-- next up-to-date must land in one transaction (readers never see half of it). A batch that grows
-- large (a refetch of a big table, a long catch-up after days offline) is parked here per response,
-- with the stream position after it, and applied together with the in-memory tail at up-to-date.
-- Never edit after it lands; changes go in a new numbered file.

CREATE TABLE "sync_pending" (
  "table_name" TEXT NOT NULL,
  "seq" INTEGER NOT NULL,
  -- One change message, encoded for the replica and serialized with node:v8 (keeps bigint, blobs).
  "change" BLOB NOT NULL,
  PRIMARY KEY ("table_name", "seq")
) STRICT;

-- Where the parked batch's stream resumes (NULL: nothing parked), and whether it is a refetch that
-- replaces the table's rows when it is applied.
ALTER TABLE "sync_shapes" ADD COLUMN "pending_handle" TEXT;
ALTER TABLE "sync_shapes" ADD COLUMN "pending_offset" TEXT;
ALTER TABLE "sync_shapes" ADD COLUMN "pending_refetch" INTEGER NOT NULL DEFAULT 0;
