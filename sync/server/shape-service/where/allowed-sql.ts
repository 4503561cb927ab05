/**
 * What a where clause may use beyond columns, constants and parameters: Electric's supported types,
 * operators and functions (sync-service `postgres.ex` supported_types and
 * `replication/eval/env/known_functions.ex`), minus what Postgres — which evaluates our clauses —
 * lacks or cannot compare: `ilike()` does not exist there, and the `*out` output functions either
 * do not exist or return cstring. Everything here is free of side effects; anything else is refused.
 */

/** Types a value may be cast to (plus the table's own enum types); also accepted with `pg_catalog.`. */
export const CASTABLE_TYPES: ReadonlySet<string> = new Set([
  'bool',
  'bytea',
  'date',
  'float4',
  'float8',
  'int2',
  'int4',
  'int8',
  'jsonb',
  'text',
  'time',
  'timestamp',
  'timestamptz',
  'uuid',
  'varchar',
  'interval',
]);

/** Binary operators whose result is boolean: comparisons, LIKE family, array containment/overlap. */
export const BOOLEAN_BINARY_OPERATORS: ReadonlySet<string> = new Set([
  '=',
  '<>',
  '<',
  '>',
  '<=',
  '>=',
  '~~',
  '~~*',
  '!~~',
  '!~~*',
  '@>',
  '<@',
  '&&',
]);

/** Binary operators that compute a value: arithmetic, bitwise, concatenation (text and arrays). */
export const VALUE_BINARY_OPERATORS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '^', '&', '|', '#', '||']);

/** Prefix operators: sign, square root, absolute value, bitwise not. */
export const UNARY_OPERATORS: ReadonlySet<string> = new Set(['+', '-', '|/', '@', '~']);

export type FunctionRule = {
  /** Accepted argument counts; `minArgs` alone means variadic. */
  readonly minArgs: number;
  readonly maxArgs?: number;
  readonly returnsBoolean: boolean;
};

const exactly = (count: number, returnsBoolean = false): FunctionRule => ({
  minArgs: count,
  maxArgs: count,
  returnsBoolean,
});

/** Function-style casts from text ("input" functions), e.g. `int4('5')`, `int8(title)`. */
const INPUT_FUNCTIONS = [
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'uuid',
  'text',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
];

/**
 * Callable functions by unqualified name. COALESCE, GREATEST and LEAST are separate node types,
 * not calls; `x AT TIME ZONE y` arrives as a call to `timezone`.
 */
export const ALLOWED_FUNCTIONS: ReadonlyMap<string, FunctionRule> = new Map([
  ...INPUT_FUNCTIONS.map((name): [string, FunctionRule] => [name, exactly(1)]),
  ['bool', exactly(1, true)],
  ['concat', { minArgs: 1, returnsBoolean: false }],
  ['lower', exactly(1)],
  ['upper', exactly(1)],
  ['like', exactly(2, true)],
  ['justify_days', exactly(1)],
  ['justify_hours', exactly(1)],
  ['justify_interval', exactly(1)],
  ['timezone', exactly(2)],
  ['array_cat', exactly(2)],
  ['array_append', exactly(2)],
  ['array_prepend', exactly(2)],
  ['array_ndims', exactly(1)],
]);

export function acceptsArgumentCount(rule: FunctionRule, count: number): boolean {
  return count >= rule.minArgs && (rule.maxArgs === undefined || count <= rule.maxArgs);
}
