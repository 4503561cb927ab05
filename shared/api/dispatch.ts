/**
 * Main's side of the boundary, shared by Electron IPC and the browser-mode bridge: check the channel,
 * parse the input, run the handler, and answer as an ApiResult. Nothing a handler throws escapes;
 * `describeError` turns domain errors into codes a screen can act on.
 */
import type { z } from 'zod';
import { channels, isChannel, type Handlers } from './contract.js';
import { ApiError, fail, ok, type ApiErrorBody, type ApiResult } from './result.js';

/** The first problem of a failed parse, as a sentence naming the field. */
export function describeZodError(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'The input is not valid.';
  const path = first.path.length ? first.path.join('.') : 'input';
  return `${path}: ${first.message}`;
}

export type DescribeError = (e: unknown) => ApiErrorBody;

const describeUnknown: DescribeError = (e) => ({
  code: 'internal',
  message: e instanceof Error ? e.message : String(e),
});

export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  input: unknown,
  describeError: DescribeError = describeUnknown,
): Promise<ApiResult<unknown>> {
  if (!isChannel(channel)) return fail('unknown_channel', `"${String(channel)}" is not a channel of the app API.`);
  const parsed = channels[channel].input.safeParse(input ?? {});
  if (!parsed.success) return fail('bad_input', `${channel}: ${describeZodError(parsed.error)}`);
  try {
    const handler = handlers[channel] as (i: unknown) => unknown;
    return ok(await handler(parsed.data));
  } catch (e) {
    if (e instanceof ApiError) return fail(e.code, e.message);
    const body = describeError(e);
    return fail(body.code, body.message);
  }
}
