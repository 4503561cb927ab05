/**
 * POST /v1/mutations `{client_id, mutations: [...]}` → `{results: [...]}`, one result per mutation
 * in order (DESIGN.md, gateway HTTP API). Authentication is the shape route's: the bearer token,
 * then the caller's active membership (the token's organization, or `?organization_id=` to pick
 * another of theirs), checked in Postgres on every request. The organization every write lands in
 * is that membership's — never one named in the payload.
 */
import type http from 'node:http';
import type pg from 'pg';
import {
  MAX_MUTATIONS_BODY_BYTES,
  MAX_MUTATIONS_PER_REQUEST,
  mutationsRequestSchema,
  type MutationsResponse,
} from '../../../../shared/sync/mutations.js';
import { bearerToken } from '../auth/request-auth.js';
import { HttpError, readJsonBody, sendJson } from '../http-utils.js';
import type { GatewayAuth } from '../shape-proxy.js';
import { processMutations } from './apply.js';

export type MutationDeps = { pool: pg.Pool; auth: GatewayAuth };

const invalid = (message: string) => new HttpError(400, 'invalid_request', message);

/** The request body as the contract defines it, or a 400 that says what is wrong. */
export function parseMutationsRequest(body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object {client_id, mutations: [...]}.');
  }
  const list = (body as { mutations?: unknown }).mutations;
  if (Array.isArray(list) && list.length > MAX_MUTATIONS_PER_REQUEST) {
    throw new HttpError(
      400,
      'too_many_mutations',
      `At most ${MAX_MUTATIONS_PER_REQUEST} mutations per request (got ${list.length}); send the rest in another request.`,
    );
  }
  const parsed = mutationsRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => {
      const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return `${path.replace(/^\./, '') || '(body)'}: ${i.message}`;
    });
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw invalid(`The request does not fit the mutation contract: ${issues.join('; ')}${more}.`);
  }
  const req = parsed.data;
  const seen = new Set<string>();
  const closedTx = new Set<string>();
  let openTx: string | undefined;
  for (const [i, m] of req.mutations.entries()) {
    const id = m.id.toLowerCase();
    if (seen.has(id)) throw invalid(`mutations[${i}]: mutation id ${m.id} appears twice in the request.`);
    seen.add(id);
    if (m.tx !== openTx && openTx !== undefined) closedTx.add(openTx);
    if (m.tx !== undefined && closedTx.has(m.tx)) {
      throw invalid(`mutations[${i}]: the mutations of tx ${m.tx} must be adjacent in the request.`);
    }
    openTx = m.tx;
  }
  return req;
}

export async function handleMutations(
  deps: MutationDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST for mutations.');
  const who = await deps.auth.verify(bearerToken(req));
  const membership = await deps.auth.membership(
    who.userId,
    url.searchParams.get('organization_id') ?? who.organizationId,
  );
  const body = parseMutationsRequest(await readJsonBody(req, MAX_MUTATIONS_BODY_BYTES));

  const client = await deps.pool.connect();
  let broken = false;
  try {
    const results = await processMutations(
      client,
      {
        userId: who.userId,
        organizationId: membership.organization_id,
        role: membership.role,
        clientId: body.client_id.toLowerCase(),
      },
      body.mutations,
    );
    const response: MutationsResponse = { results };
    sendJson(res, 200, response, { 'cache-control': 'no-store' });
  } catch (e) {
    broken = true;
    throw e;
  } finally {
    // A connection that failed mid-transaction is not trusted back into the pool.
    client.release(broken);
  }
}
