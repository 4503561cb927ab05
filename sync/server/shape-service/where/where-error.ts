/** A reason to refuse a where clause, raised deep in the checks and turned into a message at the top. */
export class WhereClauseError extends Error {
  constructor(
    message: string,
    /** Byte offset of the offending node in the wrapped statement, when there is one. */
    readonly location?: number,
  ) {
    super(message);
    this.name = 'WhereClauseError';
  }
}
