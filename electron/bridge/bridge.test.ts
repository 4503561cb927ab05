/**
 * The browser-mode bridge over real HTTP and a real WebSocket, in front of a real AppHost (signed
 * out, so no stack is needed): token, host and origin guards, CSP, the injected token, the body
 * limit, an invoke round trip and events.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { AppHost } from '../services/app-host.js';
import { FileTokenStore } from '../services/file-token-store.js';
import { startBridge, type RunningBridge } from './bridge.js';

let dir: string;
let host: AppHost;
let bridge: RunningBridge;
let token: string;

const INDEX = `<!doctype html><html><head><meta charset="utf-8">
<meta name="fieldline-bridge-token" content="">
<script type="module" src="/assets/index-AbCdEf12.js"></script></head><body><div id="root"></div></body></html>`;

beforeAll(async () => {
  dir = makeTempDir('bridge');
  const staticDir = path.join(dir, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(staticDir, 'assets', 'index-AbCdEf12.js'), 'console.log("app");');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
  host = await AppHost.open({
    dataDir: path.join(dir, 'app'),
    mode: 'browser',
    version: '1.2.3',
    tokenStore: new FileTokenStore(path.join(dir, 'app', 'session.json')),
  });
  bridge = await startBridge({ host, port: 0, staticDir });
  const html = await (await fetch(bridge.url)).text();
  token = /name="fieldline-bridge-token" content="([^"]+)"/.exec(html)![1]!;
});
afterAll(async () => {
  await bridge?.close();
  await host?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** A request with headers fetch would not let a test set (Host), over plain node:http. */
function raw(opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }) {
  return new Promise<Raw>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: bridge.port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: opts.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const invoke = (body: unknown, headers: Record<string, string> = {}) =>
  raw({
    method: 'POST',
    path: '/api/invoke',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('bridge: static files', () => {
  it('serves index.html with this run’s token, the strict CSP and no caching', async () => {
    const res = await raw({ path: '/' });
    expect(res.status).toBe(200);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(res.body).toContain(`<meta name="fieldline-bridge-token" content="${token}">`);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
        `connect-src 'self' ws://127.0.0.1:${bridge.port}; worker-src 'self' blob:; object-src 'none'; ` +
        "base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('serves assets, falls back to index.html for app routes, and never leaves the folder', async () => {
    const js = await raw({ path: '/assets/index-AbCdEf12.js' });
    expect(js).toMatchObject({ status: 200, body: 'console.log("app");' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['content-security-policy']).toContain("script-src 'self'");
    const route = await raw({ path: '/tasks/123' });
    expect(route.status).toBe(200);
    expect(route.body).toContain(token);
    expect((await raw({ path: '/assets/missing.js' })).status).toBe(404);
    for (const p of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%5c..%5csecret.txt', '/a%00.js'])
      expect((await raw({ path: p })).body, p).not.toContain('not for the web');
  });

  it('refuses another Host (DNS rebinding) and another Origin with 403', async () => {
    expect((await raw({ path: '/', headers: { host: `evil.example:${bridge.port}` } })).status).toBe(403);
    expect((await invoke({ channel: 'app:info' }, { host: 'evil.example' })).status).toBe(403);
    expect((await invoke({ channel: 'app:info' }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await invoke({ channel: 'app:info' }, { origin: `http://localhost:${bridge.port}` })).status).toBe(200);
    expect((await raw({ path: '/', headers: { host: `localhost:${bridge.port}` } })).status).toBe(200);
  });
});

describe('bridge: /api/invoke', () => {
  it('answers a call with the dispatch result', async () => {
    const res = await invoke({ channel: 'app:info', input: {} });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      ok: true,
      value: { version: '1.2.3', mode: 'browser', platform: process.platform },
    });
    expect(JSON.parse((await invoke({ channel: 'fs:read', input: {} })).body)).toMatchObject({
      ok: false,
      error: { code: 'unknown_channel' },
    });
    expect(JSON.parse((await invoke({ channel: 'tasks:get', input: { id: 'x' } })).body)).toMatchObject({
      ok: false,
      error: { code: 'bad_input' },
    });
    expect(JSON.parse((await invoke({ channel: 'tasks:mine' })).body)).toMatchObject({
      ok: false,
      error: { code: 'signed_out' },
    });
  });

  it('needs the token: none or a wrong one is 401 with a JSON error', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, token]) {
      const res = await raw({
        method: 'POST',
        path: '/api/invoke',
        headers: authorization ? { authorization } : {},
        body: JSON.stringify({ channel: 'app:info' }),
      });
      expect(res.status, String(authorization)).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('refuses a body over 1 MiB with 413, and non-JSON with 400', async () => {
    const big = JSON.stringify({ channel: 'app:info', input: { pad: 'x'.repeat(1024 * 1024) } });
    const res = await raw({
      method: 'POST',
      path: '/api/invoke',
      headers: { authorization: `Bearer ${token}` },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'bad_input' } });
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          method: 'POST',
          path: '/api/invoke',
          headers: { authorization: `Bearer ${token}` },
        },
        (r) => (r.resume(), resolve(r.statusCode!)),
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 32));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(
      (await raw({ method: 'POST', path: '/api/invoke', headers: { authorization: `Bearer ${token}` }, body: '{' }))
        .status,
    ).toBe(400);
    expect((await raw({ method: 'GET', path: '/api/invoke' })).status).toBe(405);
    expect((await raw({ path: '/api/nothing' })).status).toBe(404);
    expect((await raw({ path: '/api/events' })).status).toBe(426);
  });
});

describe('bridge: /api/events', () => {
  const url = () => `ws://127.0.0.1:${bridge.port}/api/events`;

  /** Opens a socket and collects its messages; rejects with the HTTP status if the upgrade is refused. */
  const connect = (protocols: string[], headers: Record<string, string> = {}) =>
    new Promise<{ ws: WebSocket; messages: { event: string; payload: unknown }[] }>((resolve, reject) => {
      const ws = new WebSocket(url(), protocols, { headers });
      const messages: { event: string; payload: unknown }[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data)) as { event: string; payload: unknown }));
      ws.on('open', () => resolve({ ws, messages }));
      ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on('error', reject);
    });

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(check()).toBe(true);
  };

  it('with the token as subprotocol: the current state at once, then every event', async () => {
    const { ws, messages } = await connect([`fieldline.${token}`]);
    try {
      expect(ws.protocol).toBe(`fieldline.${token}`);
      await until(() => messages.length >= 4);
      expect(messages.slice(0, 4).map((m) => m.event)).toEqual([
        'session:changed',
        'settings:changed',
        'sync:status-changed',
        'replica:changed',
      ]);
      expect(messages[0]!.payload).toMatchObject({ status: 'signed-out' });
      expect(messages[2]!.payload).toMatchObject({ state: 'signed-out' });
      // A page that reconnects may have missed changes: it is told every table changed.
      expect((messages[3]!.payload as { tables: string[] }).tables).toContain('devices');

      const res = await invoke({ channel: 'settings:update', input: { theme: 'dark' } });
      expect(JSON.parse(res.body)).toMatchObject({ ok: true, value: { theme: 'dark' } });
      await until(() =>
        messages.some((m) => m.event === 'settings:changed' && (m.payload as { theme: string }).theme === 'dark'),
      );
    } finally {
      ws.close();
    }
  });

  it('refuses the upgrade without the right token, or from another origin', async () => {
    await expect(connect([])).rejects.toThrow(/HTTP 401/);
    await expect(connect(['fieldline.wrong'])).rejects.toThrow(/HTTP 401/);
    await expect(connect([token])).rejects.toThrow(/HTTP 401/);
    await expect(connect([`fieldline.${token}`], { origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/);
  });
});
