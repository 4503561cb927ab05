/** The shape log storage's public surface. */
export { ShapeLog } from './shape-log.js';
export type { OpenResult, ReadAfter, ReadResult, ShapeLogOptions, StreamedRead } from './shape-log.js';
export type { AppendResult, LogEntry } from './main-log.js';
export {
  InvalidEntryError,
  InvalidSnapshotMetaError,
  OffsetOutOfBoundsError,
  OutOfOrderOffsetError,
  ShapeLogClosedError,
  ShapeLogError,
  ShapeLogExistsError,
  ShapeLogWriteError,
  SnapshotNotReadyError,
  SnapshotStateError,
  UntrustedLogError,
} from './errors.js';
export type { ShapeLogErrorCode, UntrustedCode } from './errors.js';
