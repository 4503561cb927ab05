-- Transactions the shape stream delivered while uploads were still unanswered. The server commits a
-- mutation's transaction before it answers the request (and a batch's first group long before its
-- last), so the stream can bring a txid before the outbox knows it is ours; the answer then finds it
-- here and confirms at once instead of waiting for a txid that has already gone by. Kept per table
-- only while that table has queued mutations. Never edit after it lands.
CREATE TABLE "sync_seen_txids" (
  "table_name" TEXT NOT NULL,
  "txid" INTEGER NOT NULL,
  PRIMARY KEY ("table_name", "txid")
) STRICT, WITHOUT ROWID;
