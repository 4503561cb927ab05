/**
 * Errors the shape log throws. Each says what went wrong and what the caller should do about it;
 * `code` lets the HTTP and shape layers branch without matching on messages.
 */

export type ShapeLogErrorCode =
  | 'exists'
  | 'closed'
  | 'write_failed'
  | 'invalid_entry'
  | 'out_of_order'
  | 'invalid_snapshot_meta'
  | 'snapshot_state'
  | 'snapshot_not_ready'
  | 'out_of_bounds';

export class ShapeLogError extends Error {
  constructor(
    readonly code: ShapeLogErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `create` found an existing log (or other files) where it was asked to start a fresh one. */
export class ShapeLogExistsError extends ShapeLogError {
  constructor(dir: string) {
    super('exists', `${dir} is not empty; open() it, or destroy it first to start a new shape log there`);
  }
}

/** The log was used after `close()` or `destroy()`. */
export class ShapeLogClosedError extends ShapeLogError {
  constructor(dir: string) {
    super('closed', `the shape log in ${dir} is closed; open it again to read or write`);
  }
}

/**
 * A write or fsync failed. What reached the disk is unknown and an fsync cannot be safely retried, so
 * the log refuses all further appends (reads of already committed data still work). Rotate the shape.
 */
export class ShapeLogWriteError extends ShapeLogError {
  constructor(dir: string, cause: unknown) {
    super('write_failed', `writing the shape log in ${dir} failed; it accepts no more writes: rotate the shape`, {
      cause,
    });
  }
}

/** An entry that cannot be stored as given (a caller bug, not bad data on disk). */
export class InvalidEntryError extends ShapeLogError {
  constructor(message: string) {
    super('invalid_entry', message);
  }
}

/** A transaction whose offsets go backwards, or that is newer than the log but not in order inside. */
export class OutOfOrderOffsetError extends ShapeLogError {
  constructor(message: string) {
    super('out_of_order', message);
  }
}

export class InvalidSnapshotMetaError extends ShapeLogError {
  constructor(cause: unknown) {
    super(
      'invalid_snapshot_meta',
      'snapshot meta must be a JSON-serialisable object (convert bigint values to strings first)',
      { cause },
    );
  }
}

/** Snapshot methods called out of order (begin → append… → finish, once). */
export class SnapshotStateError extends ShapeLogError {
  constructor(message: string) {
    super('snapshot_state', message);
  }
}

/** A snapshot chunk was requested that the (still running) snapshot has not produced yet; retry later. */
export class SnapshotNotReadyError extends ShapeLogError {
  constructor(readonly chunk: number) {
    super(
      'snapshot_not_ready',
      `snapshot chunk ${chunk} is still being written; retry once it closes or the snapshot is finished`,
    );
  }
}

/** A read after an offset beyond the latest: the caller should have checked `isOutOfBounds` and waited. */
export class OffsetOutOfBoundsError extends ShapeLogError {
  constructor(offset: string, latest: string) {
    super(
      'out_of_bounds',
      `offset ${offset} is beyond this shape's latest offset ${latest}; check isOutOfBounds() and wait for the log to grow (then answer 400)`,
    );
  }
}

/** Why `open` refused to trust a log directory; the shape must be rotated (clients get 409). */
export type UntrustedCode = 'missing' | 'truncated' | 'corrupt' | 'unsupported_version' | 'snapshot_unfinished';

/** Thrown inside open-time validation only; `ShapeLog.open` turns it into an `untrusted` result. */
export class UntrustedLogError extends Error {
  constructor(
    readonly code: UntrustedCode,
    message: string,
  ) {
    super(message);
    this.name = 'UntrustedLogError';
  }
}
