-- The outbox and the conflict inbox: local edits waiting for the server, and what the server said
-- about those it could not apply as made. Never edit after it lands; changes go in a new numbered file.

-- One row per local write, in the order made. A row leaves when the server has applied the mutation
-- AND its transaction has arrived on the shape stream (so the overlay is dropped without flicker),
-- or when the server rejected it (the overlay is rolled back).
CREATE TABLE "sync_outbox" (
  "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
  -- The mutation id (UUID, made here): the idempotency key for every upload attempt.
  "id" TEXT NOT NULL UNIQUE,
  -- Writes of one user action share a tx id and apply on the server in one transaction.
  "tx" TEXT,
  "table_name" TEXT NOT NULL,
  "op" TEXT NOT NULL CHECK ("op" IN ('insert', 'update', 'delete')),
  -- The mutation as uploaded (shared/sync/mutations.ts), JSON.
  "pk" TEXT NOT NULL,
  "values" TEXT,
  "base" TEXT,
  "created_at" TEXT NOT NULL,
  -- queued: not yet acknowledged; awaiting_txid: applied, waiting for its transaction on the stream.
  "state" TEXT NOT NULL DEFAULT 'queued' CHECK ("state" IN ('queued', 'awaiting_txid')),
  "txid" INTEGER,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT
) STRICT;
CREATE INDEX "sync_outbox_row" ON "sync_outbox" ("table_name", "pk");
CREATE INDEX "sync_outbox_txid" ON "sync_outbox" ("txid") WHERE "txid" IS NOT NULL;

-- The conflict inbox: mutations the server did not apply as made. kind = conflict (some columns
-- were changed on both sides; mine/theirs/base per column) or rejected (nothing applied; reason).
CREATE TABLE "sync_conflicts" (
  "mutation_id" TEXT NOT NULL PRIMARY KEY,
  "kind" TEXT NOT NULL CHECK ("kind" IN ('conflict', 'rejected')),
  "table_name" TEXT NOT NULL,
  "op" TEXT NOT NULL,
  "pk" TEXT NOT NULL,
  -- The mutation's values and base as sent, JSON.
  "mine" TEXT,
  "base" TEXT,
  -- conflict: the per-column conflicts from the result (JSON array); rejected: null.
  "conflicts" TEXT,
  -- rejected: {code, message}.
  "reason" TEXT,
  "created_at" TEXT NOT NULL,
  -- Set when a person resolved it: keep_mine (re-queued on a fresh base) or take_theirs.
  "resolved_at" TEXT,
  "resolution" TEXT CHECK ("resolution" IN ('keep_mine', 'take_theirs'))
) STRICT;
CREATE INDEX "sync_conflicts_open" ON "sync_conflicts" ("created_at") WHERE "resolved_at" IS NULL;
