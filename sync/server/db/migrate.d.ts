import type pg from 'pg';
export declare const POSTGRES_MIGRATIONS_DIR: string;
export type Migration = {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
};
export declare class MigrationError extends Error {
  readonly code: 'bad_file_name' | 'duplicate_version' | 'checksum_mismatch' | 'missing_file' | 'failed';
  constructor(
    code: 'bad_file_name' | 'duplicate_version' | 'checksum_mismatch' | 'missing_file' | 'failed',
    message: string,
  );
}
/** Line endings are normalised so a Windows checkout hashes the same as a Unix one. */
export declare const checksumOf: (sql: string) => string;
export declare function loadMigrations(dir?: string): Migration[];
export type MigrateResult = {
  applied: string[];
  alreadyApplied: number;
};
export declare function migrate(client: pg.ClientBase, migrations?: Migration[]): Promise<MigrateResult>;
