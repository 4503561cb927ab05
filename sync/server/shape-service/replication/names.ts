/**
 * Names of the replication objects and SQL quoting. Slot and publication names follow Electric's
 * ELECTRIC_REPLICATION_STREAM_ID convention, so one database can host several independent streams.
 */
import { InvalidReplicationNameError } from './errors.js';

export const DEFAULT_STREAM_ID = 'default';

export type ReplicationNames = { readonly publication: string; readonly slot: string };

// Postgres limits identifiers to 63 bytes; the longer prefix is the publication's.
const MAX_NAME_LENGTH = 63;
const PUBLICATION_PREFIX = 'electric_publication_';
const SLOT_PREFIX = 'electric_slot_';
// Slot names may only hold lower-case letters, digits and underscores.
const SLOT_NAME_PATTERN = /^[a-z0-9_]+$/;

/**
 * `electric_publication_<id>` and `electric_slot_<id>`. Like Electric, the id is read as an unquoted
 * identifier (case-folded to lower case); it must then be usable inside a slot name.
 */
export function replicationNames(streamId: string = DEFAULT_STREAM_ID): ReplicationNames {
  const id = streamId.toLowerCase();
  const maxIdLength = MAX_NAME_LENGTH - PUBLICATION_PREFIX.length;
  if (!SLOT_NAME_PATTERN.test(id) || id.length > maxIdLength) {
    throw new InvalidReplicationNameError(
      `Replication stream id "${streamId}" is invalid: use 1 to ${maxIdLength} letters, digits or underscores ` +
        `(it becomes part of the slot name, which Postgres restricts to those characters).`,
    );
  }
  return { publication: PUBLICATION_PREFIX + id, slot: SLOT_PREFIX + id };
}

export function assertValidSlotName(slot: string): void {
  if (!SLOT_NAME_PATTERN.test(slot) || slot.length > MAX_NAME_LENGTH) {
    throw new InvalidReplicationNameError(
      `Replication slot name "${slot}" is invalid: Postgres allows 1 to ${MAX_NAME_LENGTH} lower-case letters, digits or underscores.`,
    );
  }
}

/** A double-quoted SQL identifier: safe for spaces, quotes, upper case and reserved words. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A single-quoted SQL string literal (standard_conforming_strings is on since Postgres 9.1). */
export const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export const qualifiedTable = (schema: string, name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`;
