import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerTimeoutError, observedFetch, type FetchObserver } from './observed-fetch.js';

/** A server that accepts every request and never answers it (a middlebox whose backend is gone). */
let server: http.Server;
let url: string;
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.includes('answer')) return void res.end('{}');
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function recorder() {
  const unreachable: Error[] = [];
  let answered = 0;
  const observer: FetchObserver = {
    onUnreachable: (e) => unreachable.push(e),
    onAnswered: () => answered++,
    onSchema: () => {},
    onTotal: () => {},
    onBytes: () => {},
  };
  return { observer, unreachable, answered: () => answered };
}

describe('observedFetch', () => {
  it('a request that is never answered fails as unreachable after the answer timeout', async () => {
    const r = recorder();
    const f = observedFetch(fetch, new AbortController().signal, r.observer, { answerTimeoutMs: 150 });
    const started = Date.now();
    await expect(f(`${url}/v1/shape?table=tasks&offset=-1`)).rejects.toBeInstanceOf(AnswerTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.unreachable).toHaveLength(1);
    expect(r.unreachable[0]).toBeInstanceOf(AnswerTimeoutError);
  });

  it('leaves live long-polls to the client’s own timeout, and answers pass through', async () => {
    const r = recorder();
    const consumer = new AbortController();
    const f = observedFetch(fetch, consumer.signal, r.observer, { answerTimeoutMs: 100 });
    const caller = new AbortController();
    const live = f(`${url}/v1/shape?table=tasks&offset=0_0&live=true`, { signal: caller.signal });
    const outcome = await Promise.race([
      live.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('still waiting'), 400)),
    ]);
    expect(outcome).toBe('still waiting');
    consumer.abort();
    caller.abort();
    await expect(live).rejects.toThrow();
    expect(r.unreachable).toHaveLength(0); // a consumer closing is not the network going away

    const ok = await observedFetch(fetch, new AbortController().signal, r.observer, { answerTimeoutMs: 100 })(
      `${url}/answer`,
    );
    expect(ok.status).toBe(200);
    expect(r.answered()).toBe(1);
  });
});
