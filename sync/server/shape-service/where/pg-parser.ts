/**
 * The real Postgres parser (libpg-query's WASM build), instantiated once when this module is
 * imported so that every caller can stay synchronous.
 */
import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import type { ParseResult } from 'libpg-query';

await loadModule();

export type SqlParseOutcome =
  | { readonly ok: true; readonly result: ParseResult }
  /** `position` is Postgres's 0-based character position of a syntax error in `sql`, when it has one. */
  | { readonly ok: false; readonly message: string; readonly position: number | undefined };

/** Thrown for every parse once the WASM instance has failed in a way that may have corrupted it. */
export class ParserUnavailableError extends Error {}

let brokenBy: string | undefined;

/**
 * Parses `sql`. A syntax error is an outcome, not an exception. A trap inside the WASM code (a
 * native stack overflow, an out-of-bounds access) leaves its memory in an unknown state — a stack
 * overflow leaks the WASM stack and later parses read garbage — so after one the parser refuses all
 * further work rather than risk answering wrongly. Callers keep inputs small enough to avoid that.
 */
export function parseSql(sql: string): SqlParseOutcome {
  if (brokenBy !== undefined) throw new ParserUnavailableError(`the SQL parser is unavailable: ${brokenBy}`);
  try {
    const result: ParseResult = parseSync(sql);
    return { ok: true, result };
  } catch (error) {
    if (hasSqlDetails(error)) {
      const { message, cursorPosition } = error.sqlDetails;
      return { ok: false, message, position: cursorPosition >= 0 ? cursorPosition : undefined };
    }
    if (isWasmTrap(error)) {
      brokenBy = error.message;
      throw new ParserUnavailableError(`the SQL parser failed: ${brokenBy}`);
    }
    throw error;
  }
}

/** A trap in WASM code: WebAssembly.RuntimeError, or a RangeError for a native stack overflow. */
function isWasmTrap(error: unknown): error is Error {
  return error instanceof RangeError || (error instanceof Error && error.name === 'RuntimeError');
}
