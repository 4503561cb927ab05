/**
 * Another person's laptop, reduced to what a conflict needs: sign in to the gateway and send one
 * edit through POST /v1/mutations, made against the row as the server has it now.
 */
import { randomUUID } from 'node:crypto';
import type { StackProcess } from './stack-process.js';

type Login = { access_token: string };

export async function signIn(gatewayUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login as ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as Login).access_token;
}

/** Updates one text column of a task as `token`'s user; resolves with the gateway's result. */
export async function editTaskText(
  stack: StackProcess,
  token: string,
  taskId: string,
  column: 'notes' | 'description' | 'title',
  value: string,
): Promise<{ status: string }> {
  const [row] = await stack.query<{ value: string | null; row_version: string }>(
    `select ${column} as value, row_version from tasks where id = $1`,
    [taskId],
  );
  if (!row) throw new Error(`no task ${taskId}`);
  const res = await fetch(`${stack.gatewayUrl}/v1/mutations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      client_id: randomUUID(),
      mutations: [
        {
          id: randomUUID(),
          table: 'tasks',
          op: 'update',
          pk: { id: taskId },
          values: { [column]: value },
          base: { values: { [column]: row.value }, version: Number(row.row_version) },
        },
      ],
    }),
  });
  if (!res.ok) throw new Error(`mutation: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { results: Array<{ status: string }> };
  return body.results[0]!;
}
