/** Small readers for libpg-query's JSON parse trees, where every node is `{ NodeType: body }`. */
import type { Node } from 'libpg-query';

/** The node's type tag, e.g. `A_Expr`. */
export function nodeTypeName(node: Node): string {
  return Object.keys(node)[0] ?? 'unknown node';
}

/** A usable parser location (a byte offset into the parsed SQL); the parser writes -1 for "none". */
export function usableLocation(location: number | undefined): number | undefined {
  return location !== undefined && location >= 0 ? location : undefined;
}

/** Where a node starts: the location stored in its body, or for nodes without one, of a part of it. */
export function nodeLocation(node: Node): number | undefined {
  // `x[1]` has no location of its own; `interval '1 day'` is a cast at -1 with a located type name.
  if ('A_Indirection' in node) return node.A_Indirection.arg && nodeLocation(node.A_Indirection.arg);
  if ('TypeCast' in node) {
    const { location, typeName, arg } = node.TypeCast;
    return usableLocation(location) ?? usableLocation(typeName?.location) ?? (arg && nodeLocation(arg));
  }
  const body: unknown = Object.values(node)[0];
  if (typeof body !== 'object' || body === null || !('location' in body)) return undefined;
  return typeof body.location === 'number' ? usableLocation(body.location) : undefined;
}

/** The values of a list of `String` nodes (a qualified name), or undefined if any item is something else. */
export function stringValues(nodes: readonly Node[] | undefined): string[] | undefined {
  const values: string[] = [];
  for (const node of nodes ?? []) {
    if (!('String' in node)) return undefined;
    values.push(node.String.sval ?? '');
  }
  return values;
}

/** A name without a `pg_catalog.` qualifier, or undefined when qualified by anything else. */
export function unqualifiedName(parts: readonly string[]): string | undefined {
  if (parts.length === 1) return parts[0];
  if (parts.length === 2 && parts[0] === 'pg_catalog') return parts[1];
  return undefined;
}

const PLAIN_IDENTIFIER = /^[\p{Ll}_][\p{Ll}\p{Nd}_]*$/u;

/** An identifier as messages print it: bare when it would survive unquoted, else double-quoted. */
export function formatIdentifier(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A possibly qualified name for messages, dropping a `pg_catalog.` qualifier as Postgres users expect. */
export function formatName(parts: readonly string[]): string {
  const shown = parts.length === 2 && parts[0] === 'pg_catalog' ? parts.slice(1) : parts;
  return shown.map(formatIdentifier).join('.');
}
