/**
 * The upload contract (DESIGN.md "Local edits and conflict-aware upload"): what the outbox stores
 * and sends to `POST /v1/mutations`, and what comes back. One definition, used by the client's
 * outbox and uploader and by the gateway's mutation endpoint.
 */
import { z } from 'zod';

/** Most mutations per request; a longer outbox goes in several requests. */
export const MAX_MUTATIONS_PER_REQUEST = 500;
/** Largest request body the gateway reads, bytes. */
export const MAX_MUTATIONS_BODY_BYTES = 4 * 1024 * 1024;

const uuid = z.guid();
/** A column value as JSON: what the shape stream delivers for that column, as JSON text would carry it. */
const jsonValue: z.ZodType<unknown> = z.unknown();
const columnValues = z.record(z.string().min(1).max(63), jsonValue);

export const MUTATION_OPS = ['insert', 'update', 'delete'] as const;
export type MutationOp = (typeof MUTATION_OPS)[number];

export const mutationSchema = z
  .object({
    /** Made by the client; the idempotency key. */
    id: uuid,
    /**
     * Mutations sharing a `tx` were made as one user action (a task and its checklist): they apply
     * in one Postgres transaction, or are all rejected together. They are adjacent in a request.
     */
    tx: uuid.optional(),
    table: z.string().min(1).max(63),
    op: z.enum(MUTATION_OPS),
    pk: columnValues,
    /** insert: the whole row; update: the changed columns only; delete: absent. */
    values: columnValues.optional(),
    /**
     * The values the edit was made against and the synced row_version. update: every changed
     * column (required); delete: the whole row as the user saw it.
     */
    base: z.object({ values: columnValues, version: z.number().int().nonnegative() }).optional(),
  })
  .strict();
export type Mutation = z.infer<typeof mutationSchema>;

export const mutationsRequestSchema = z
  .object({
    client_id: uuid,
    mutations: z.array(mutationSchema).min(1).max(MAX_MUTATIONS_PER_REQUEST),
  })
  .strict();
export type MutationsRequest = z.infer<typeof mutationsRequestSchema>;

export const RESOLUTIONS = ['server', 'client', 'merged', 'manual'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const columnConflictSchema = z.object({
  column: z.string(),
  base: jsonValue,
  server: jsonValue,
  mine: jsonValue,
  resolution: z.enum(RESOLUTIONS),
  /** The value the row holds after this mutation (for `merged`: the rule's result). */
  result: jsonValue.optional(),
  /** The automatic rule that decided, when one did (see conflict-policy.ts). */
  rule: z.string().optional(),
});
export type ColumnConflict = z.infer<typeof columnConflictSchema>;

export const MUTATION_STATUSES = ['applied', 'conflict', 'rejected'] as const;
export type MutationStatus = (typeof MUTATION_STATUSES)[number];

export const mutationResultSchema = z.object({
  id: uuid,
  status: z.enum(MUTATION_STATUSES),
  /**
   * The 32-bit Postgres transaction id that applied it (pg_current_xact_id()::xid), as the shape
   * stream reports it in a change's `txids`; absent when nothing was written.
   */
  txid: z.number().int().nonnegative().optional(),
  conflicts: z.array(columnConflictSchema).optional(),
  reason: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const mutationsResponseSchema = z.object({ results: z.array(mutationResultSchema) });
export type MutationsResponse = z.infer<typeof mutationsResponseSchema>;

/** Rejection codes a client can act on; `message` says it for a person. */
export const REJECTION_CODES = [
  'invalid', // the mutation does not fit the table (unknown column, wrong type, missing required value)
  'forbidden', // the role may not make this write, or the row is not in the caller's organization
  'not_found', // update of a row the server does not have (deleted meanwhile). A delete of a row already
  // gone is `applied` without a txid and carries this code as information only.
  'already_exists', // insert of a primary key that exists
  'constraint', // a unique or foreign-key rule (e.g. a serial number already recorded)
  'server_owned', // a write to a column only the server sets
  'dependency_rejected', // depends on a rejected mutation (same tx, or a child of a rejected insert)
  'id_reused', // this mutation id was used before for a different payload
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];
