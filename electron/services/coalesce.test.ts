import { afterEach, describe, expect, it } from 'vitest';
import { Coalescer } from './coalesce.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Coalescer', () => {
  let c: Coalescer | undefined;
  afterEach(() => c?.close());

  it('turns a burst of requests into one run on the next tick', async () => {
    let runs = 0;
    c = new Coalescer(() => runs++, 100);
    for (let i = 0; i < 100_000; i++) c.request();
    expect(runs).toBe(0);
    await sleep(5);
    expect(runs).toBe(1);
  });

  it('runs at most once per interval under a steady stream of requests, and the last request is never lost', async () => {
    let runs = 0;
    c = new Coalescer(() => runs++, 50);
    const until = Date.now() + 500;
    while (Date.now() < until) {
      c.request();
      await sleep(1);
    }
    await sleep(80);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThanOrEqual(12);
  });

  it('flush runs a pending request now; close drops it', async () => {
    let runs = 0;
    c = new Coalescer(() => runs++, 1000);
    c.request();
    c.flush();
    expect(runs).toBe(1);
    c.request();
    c.close();
    await sleep(20);
    expect(runs).toBe(1);
  });
});
