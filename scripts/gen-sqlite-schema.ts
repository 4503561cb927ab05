/** Writes the replica's generated migrations from the table definitions. Refuses to overwrite a different file. */
import fs from 'node:fs';
import { sqliteOverlayDdl, sqliteReplicaDdl } from '../shared/schema/sqlite-ddl.js';

const GENERATED: [string, () => string][] = [
  ['0001_replica_tables.sql', sqliteReplicaDdl],
  ['0005_local_overlays.sql', sqliteOverlayDdl],
];

let failed = false;
for (const [file, generate] of GENERATED) {
  const target = new URL(`../migrations/sqlite/${file}`, import.meta.url);
  const ddl = generate();
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') !== ddl && !process.argv.includes('--force')) {
    console.error(
      `migrations/sqlite/${file} already exists and differs from the definitions.\n` +
        'Landed migrations are never edited: add the change as a new numbered migration instead.',
    );
    failed = true;
    continue;
  }
  fs.writeFileSync(target, ddl);
  console.log(`wrote ${target.pathname}`);
}
process.exit(failed ? 1 : 0);
