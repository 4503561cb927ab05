-- The conflict inbox also tells of edits an automatic rule overrode (kind = overridden): the server
-- applied the mutation but kept its own value for a column, by a rule of shared/sync/conflict-policy.ts
-- (a dispatcher's status wins over a technician's). Nobody has to decide anything, but the person who
-- made the edit must learn that it did not stand; they close the entry by acknowledging it.
-- SQLite cannot widen a CHECK in place, so the table is rebuilt with every row kept. Never edit after
-- it lands; changes go in a new numbered file.
CREATE TABLE "sync_conflicts_new" (
  "mutation_id" TEXT NOT NULL PRIMARY KEY,
  -- conflict: some columns changed on both sides wait for a person (keep mine / take theirs);
  -- rejected: nothing applied (reason); overridden: applied, but a rule kept the server's value of
  -- some columns (acknowledge).
  "kind" TEXT NOT NULL CHECK ("kind" IN ('conflict', 'rejected', 'overridden')),
  "table_name" TEXT NOT NULL,
  "op" TEXT NOT NULL,
  "pk" TEXT NOT NULL,
  -- The mutation's values and base as sent, JSON.
  "mine" TEXT,
  "base" TEXT,
  -- conflict, overridden: the per-column conflicts from the result (JSON array); rejected: null.
  "conflicts" TEXT,
  -- rejected: {code, message}.
  "reason" TEXT,
  "created_at" TEXT NOT NULL,
  -- Set when a person closed it: keep_mine (re-queued on a fresh base), take_theirs, or acknowledged.
  "resolved_at" TEXT,
  "resolution" TEXT CHECK ("resolution" IN ('keep_mine', 'take_theirs', 'acknowledged'))
) STRICT;
INSERT INTO "sync_conflicts_new"
  SELECT "mutation_id", "kind", "table_name", "op", "pk", "mine", "base", "conflicts", "reason", "created_at",
         "resolved_at", "resolution"
  FROM "sync_conflicts";
DROP TABLE "sync_conflicts";
ALTER TABLE "sync_conflicts_new" RENAME TO "sync_conflicts";
CREATE INDEX "sync_conflicts_open" ON "sync_conflicts" ("created_at") WHERE "resolved_at" IS NULL;
