import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppUrl, mimeTypeOf, resolveAppAsset, safeExternalUrl } from './guards.js';
import { secureWebPreferences } from './web-preferences.js';

describe('isAppUrl', () => {
  it('accepts only the app origin', () => {
    expect(isAppUrl('app://fieldline/index.html')).toBe(true);
    expect(isAppUrl('app://fieldline/#/task/1')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://fieldline/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/')).toBe(false);
    expect(isAppUrl('')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });
});

describe('safeExternalUrl', () => {
  it('lets plain web links out and nothing else', () => {
    expect(safeExternalUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeExternalUrl('http://example.com')).toBe('http://example.com/');
    for (const bad of [
      'file:///C:/Windows/System32/calc.exe',
      'javascript:alert(1)',
      'smb://host/share',
      'ms-msdt:/id',
      'https://user:pw@example.com/',
      'not a url',
    ])
      expect(safeExternalUrl(bad)).toBeNull();
  });
});

describe('resolveAppAsset', () => {
  const root = path.resolve('/srv/app');

  it('maps app URLs to files under the root; routes without an extension get index.html', () => {
    expect(resolveAppAsset(root, 'app://fieldline/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://fieldline/assets/index-abc.js')).toBe(path.join(root, 'assets/index-abc.js'));
    expect(resolveAppAsset(root, 'app://fieldline/tasks/123')).toBe(path.join(root, 'index.html'));
  });

  it('never leaves the root, whatever the encoding', () => {
    for (const url of [
      'app://fieldline/../../etc/passwd.txt',
      'app://fieldline/%2e%2e/%2e%2e/etc/passwd.txt',
      'app://fieldline/assets/..%2f..%2fsecret.txt',
      'app://fieldline/a%5c..%5c..%5csecret.txt',
      'app://fieldline/%00.js',
      'app://other/index.html',
    ]) {
      const file = resolveAppAsset(root, url);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
    expect(resolveAppAsset(root, 'app://fieldline/a%5c..%5csecret.txt')).toBeNull();
    expect(resolveAppAsset(root, 'app://fieldline/%E0%A4%A')).toBeNull();
  });

  it('names types for what the renderer ships', () => {
    expect(mimeTypeOf('x/index.html')).toMatch(/^text\/html/);
    expect(mimeTypeOf('x/a.JS')).toMatch(/^text\/javascript/);
    expect(mimeTypeOf('x/unknown.bin')).toBe('application/octet-stream');
  });
});

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer, with Node off everywhere', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });
});
