-- The last snapshot a table's shape stream delivered while uploads of that table were still
-- unanswered: pg_current_snapshot() of the query that served it (xmin, xmax, xip_list as decimal
-- texts, 64-bit), as the stream's `snapshot-end` reports it. Snapshot rows carry no txids, so when a
-- shape is fetched anew (a 409, must-refetch) the transaction of an upload it already contains never
-- comes down the stream; its answer finds the snapshot here and confirms at once instead of waiting
-- for a txid that will never come. Kept per table only while that table has queued mutations, like
-- sync_seen_txids. Never edit after it lands.
CREATE TABLE "sync_seen_snapshots" (
  "table_name" TEXT NOT NULL PRIMARY KEY,
  "xmin" TEXT NOT NULL,
  "xmax" TEXT NOT NULL,
  -- JSON array of decimal texts.
  "xip_list" TEXT NOT NULL
) STRICT;
