/** Writes the replica's first migration from the table definitions. Refuses to overwrite a different file. */
import fs from 'node:fs';
import { sqliteReplicaDdl } from '../shared/schema/sqlite-ddl.js';

const target = new URL('../migrations/sqlite/0001_replica_tables.sql', import.meta.url);
const ddl = sqliteReplicaDdl();
if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') !== ddl && !process.argv.includes('--force')) {
  console.error(
    'migrations/sqlite/0001_replica_tables.sql already exists and differs from the definitions.\n' +
      'Landed migrations are never edited: add the change as a new numbered migration instead.',
  );
  process.exit(1);
}
fs.writeFileSync(target, ddl);
console.log(`wrote ${target.pathname}`);
