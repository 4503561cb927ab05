/**
 * HTTP handlers for POST /v1/auth/login, /v1/auth/refresh and /v1/auth/logout, framework-free so the
 * gateway server can mount them however it routes. Every response carries `cache-control: no-store`:
 * tokens must never sit in a shared or browser cache.
 */
import type http from 'node:http';
import { z } from 'zod';
import { DEFAULT_BODY_LIMIT, HttpError, readJsonBody, sendFailure, sendJson } from '../http-utils.js';
import type { LoginRateLimiter } from './rate-limit.js';
import type { AuthSessions, ClientMeta } from './sessions.js';

export type AuthHandlerDeps = {
  sessions: AuthSessions;
  loginLimiter: LoginRateLimiter;
  /** The client address for rate limiting; by default the socket's peer (set this behind a trusted proxy). */
  clientIp?: (req: http.IncomingMessage) => string;
  /** Receives errors that became a 500, for the log. Default: console.error. */
  onUnexpectedError?: (error: unknown) => void;
};

export type AuthHandler = (req: http.IncomingMessage, res: http.ServerResponse, deps: AuthHandlerDeps) => Promise<void>;

const NO_STORE = { 'cache-control': 'no-store' };

const loginBody = z.object({
  email: z
    .string()
    .trim()
    .max(320)
    .refine((v) => v.indexOf('@') > 0, 'must be an email address'),
  password: z.string().min(1, 'must not be empty').max(1024),
});
const refreshTokenBody = z.object({ refresh_token: z.string().min(1, 'must not be empty').max(512) });

const defaultClientIp = (req: http.IncomingMessage) => req.socket.remoteAddress ?? 'unknown';

const clientMeta = (req: http.IncomingMessage, deps: AuthHandlerDeps): ClientMeta => ({
  userAgent: req.headers['user-agent'],
  ip: (deps.clientIp ?? defaultClientIp)(req),
});

/** Method check, bounded JSON body, schema validation and error answers shared by the three endpoints. */
function jsonEndpoint<S extends z.ZodType>(
  schema: S,
  run: (
    body: z.infer<S>,
    req: http.IncomingMessage,
    deps: AuthHandlerDeps,
  ) => Promise<{ status: number; body?: unknown }>,
): AuthHandler {
  return async (req, res, deps) => {
    try {
      if (req.method !== 'POST') {
        throw new HttpError(405, 'method_not_allowed', 'This endpoint accepts POST only.', {
          allow: 'POST',
        });
      }
      const parsed = schema.safeParse(await readJsonBody(req, DEFAULT_BODY_LIMIT));
      if (!parsed.success) throw new HttpError(400, 'invalid_request', describeIssues(parsed.error));
      const { status, body } = await run(parsed.data, req, deps);
      if (body === undefined) {
        res.writeHead(status, NO_STORE).end();
      } else {
        sendJson(res, status, body, NO_STORE);
      }
    } catch (e) {
      sendFailure(res, e, deps.onUnexpectedError);
    }
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ')
    .slice(0, 500);
}

export const handleLogin: AuthHandler = jsonEndpoint(loginBody, async ({ email, password }, req, deps) => {
  // Counted before the password check, so guesses are limited whether they succeed or not.
  deps.loginLimiter.consume({ email, ip: (deps.clientIp ?? defaultClientIp)(req) });
  return { status: 200, body: await deps.sessions.login(email, password, clientMeta(req, deps)) };
});

export const handleRefresh: AuthHandler = jsonEndpoint(refreshTokenBody, async ({ refresh_token }, req, deps) => ({
  status: 200,
  body: await deps.sessions.refresh(refresh_token, clientMeta(req, deps)),
}));

export const handleLogout: AuthHandler = jsonEndpoint(refreshTokenBody, async ({ refresh_token }, _req, deps) => {
  await deps.sessions.logout(refresh_token);
  return { status: 204 };
});

export const AUTH_ROUTES: Readonly<Record<string, AuthHandler>> = {
  '/v1/auth/login': handleLogin,
  '/v1/auth/refresh': handleRefresh,
  '/v1/auth/logout': handleLogout,
};

/** Handles the request if its path is one of AUTH_ROUTES and returns true; otherwise leaves it alone. */
export async function routeAuthRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: AuthHandlerDeps,
): Promise<boolean> {
  const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
  const handler = Object.hasOwn(AUTH_ROUTES, pathname) ? AUTH_ROUTES[pathname] : undefined;
  if (!handler) return false;
  await handler(req, res, deps);
  return true;
}
