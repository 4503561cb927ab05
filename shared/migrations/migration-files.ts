/**
 * The rules both migration runners follow (Postgres on the server, SQLite in the replica), so a
 * file is named, ordered and fingerprinted the same way wherever it is applied. Hashing itself needs
 * Node's crypto, so each runner hashes `checksumInput(sql)` with SHA-256 (hex).
 */

/** `NNNN_lower_snake_case.sql`: the version, then the name. */
export const MIGRATION_FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Line endings are normalised so a Windows checkout hashes the same as a Unix one. */
export const checksumInput = (sql: string): string => sql.replace(/\r\n/g, '\n');
