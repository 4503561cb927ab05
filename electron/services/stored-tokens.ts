/**
 * The secret kept in the TokenStore: the token pair plus whose it is (server, user, organization),
 * so tokens of another account or server are never resumed by mistake.
 */
import { z } from 'zod';
import type { SessionTokens } from '../../sync/client/auth/gateway-session.js';
import { sessionTokensSchema } from '../../sync/client/engine/protocol.js';

const storedTokensSchema = z.object({
  v: z.literal(1),
  serverUrl: z.string(),
  userId: z.string(),
  organizationId: z.string(),
  tokens: sessionTokensSchema,
});

export type StoredTokens = Omit<z.infer<typeof storedTokensSchema>, 'v'> & {
  tokens: Omit<SessionTokens, 'issuedAt'> & { issuedAt?: number };
};

export const encodeStoredTokens = (s: StoredTokens): string => JSON.stringify({ v: 1, ...s });

/** The stored tokens, or undefined when the secret is missing, damaged, or of another format. */
export function decodeStoredTokens(secret: string | null): StoredTokens | undefined {
  if (!secret) return undefined;
  try {
    const parsed = storedTokensSchema.safeParse(JSON.parse(secret));
    if (!parsed.success) return undefined;
    const { v: _v, ...rest } = parsed.data;
    return rest;
  } catch {
    return undefined;
  }
}
