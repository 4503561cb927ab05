/** SQLSTATE codes this layer reacts to (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const SQLSTATE = {
  duplicateObject: '42710',
  undefinedObject: '42704',
  insufficientPrivilege: '42501',
  objectInUse: '55006',
  objectNotInPrerequisiteState: '55000',
  configurationLimitExceeded: '53400',
} as const;

/** The SQLSTATE of an error raised by Postgres through `pg`, if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
