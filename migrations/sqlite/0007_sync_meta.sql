-- Small facts about this replica that belong to sync, one row each: e.g. client_id, the id this
-- replica's uploads carry (made once, on first use). Never edit after it lands.
CREATE TABLE "sync_meta" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "value" TEXT NOT NULL
) STRICT;
