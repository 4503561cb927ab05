/**
 * The dependency rule of DESIGN.md as a fast static check (eslint.config.js mirrors it for editors):
 *   shared/      imports no other layer, no Node built-in, no electron (its tests may use node: and vitest)
 *   renderer/    never imports electron/ or sync/, nor Node built-ins or the electron package
 *   electron/    never imports renderer/; electron/services/ and electron/bridge/ not the electron package either
 *   sync/client/ never imports renderer/, electron/ (folder or package) or sync/server/
 *   sync/server/ never imports electron/ (folder or package), renderer/ or sync/client/
 * Module specifiers are read from the TypeScript syntax tree, so comments and strings never count and
 * static imports, `export … from`, `import type`, `import('…')`, `typeof import('…')` and `require('…')` all do.
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAYERS = ['shared', 'renderer', 'electron', 'sync/client', 'sync/server'] as const;
type Layer = (typeof LAYERS)[number];
const SKIPPED_DIRS = new Set(['node_modules', '.tsbuild']);

/** What a module specifier points at. */
type Target =
  | { kind: 'layer'; layer: Layer }
  /** A relative import that lands outside the layers (scripts/, another sync/ folder, outside the repo …). */
  | { kind: 'elsewhere'; path: string }
  | { kind: 'node' }
  | { kind: 'electron-package' }
  | { kind: 'vitest' }
  | { kind: 'package' };

export type Violation = { file: string; specifier: string; reason: string };

const layerOf = (repoPath: string): Layer | undefined =>
  // Longest first, so sync/client/… is not mistaken for something shorter.
  [...LAYERS].sort((a, b) => b.length - a.length).find((l) => repoPath === l || repoPath.startsWith(`${l}/`));

/** Every module specifier the file imports or re-exports from. */
export function moduleSpecifiers(file: string, source: string): string[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, kind);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteralLike(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      if (ts.isStringLiteralLike(node.moduleReference.expression)) found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const [arg] = node.arguments;
      // A computed specifier (import(variable)) cannot be resolved statically and is not checked.
      if ((isImport || isRequire) && arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) found.push(arg.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Resolves a specifier written in `file` (a repo-relative, /-separated path). */
export function resolveTarget(file: string, specifier: string): Target {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const resolved = specifier.startsWith('/')
      ? path.posix.relative(ROOT.split(path.sep).join('/'), specifier)
      : path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const layer = layerOf(resolved);
    return layer ? { kind: 'layer', layer } : { kind: 'elsewhere', path: resolved };
  }
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return { kind: 'node' };
  if (specifier === 'electron' || specifier.startsWith('electron/')) return { kind: 'electron-package' };
  if (specifier === 'vitest' || specifier.startsWith('vitest/')) return { kind: 'vitest' };
  return { kind: 'package' };
}

/** Why `file` may not import `target`, or undefined when it may. */
function breaks(file: string, target: Target): string | undefined {
  const from = layerOf(file);
  const isTest = /\.test\.tsx?$/.test(file);
  const to = target.kind === 'layer' ? target.layer : undefined;
  const intoSync = to?.startsWith('sync/') || (target.kind === 'elsewhere' && target.path.startsWith('sync/'));
  switch (from) {
    case 'shared':
      if (target.kind === 'layer' && to !== 'shared') return `shared/ may not import ${to}/`;
      if (target.kind === 'elsewhere') return `shared/ may not import outside shared/ (${target.path})`;
      if (target.kind === 'node' && !isTest) return 'shared/ may not import Node built-ins (only its tests may)';
      if (target.kind === 'vitest' && !isTest) return 'shared/ may import vitest in test files only';
      if (target.kind === 'electron-package') return 'shared/ may not import electron';
      return undefined;
    case 'renderer':
      if (to === 'electron') return 'renderer/ may not import electron/';
      if (intoSync) return 'renderer/ may not import sync/';
      if (target.kind === 'node') return 'renderer/ may not import Node built-ins';
      if (target.kind === 'electron-package') return 'renderer/ may not import electron';
      return undefined;
    case 'electron':
      if (to === 'renderer') return 'electron/ may not import renderer/';
      // The app's services and the browser-mode bridge run in plain Node too (browser mode, tests).
      if (target.kind === 'electron-package' && /^electron\/(services|bridge)\//.test(file))
        return 'electron/services/ and electron/bridge/ may not import electron (they run in plain Node)';
      return undefined;
    case 'sync/client':
      if (to === 'renderer') return 'sync/client/ may not import renderer/';
      if (to === 'electron') return 'sync/client/ may not import electron/';
      if (target.kind === 'electron-package') return 'sync/client/ may not import electron';
      if (to === 'sync/server') return 'sync/client/ may not import sync/server/';
      return undefined;
    case 'sync/server':
      if (to === 'electron') return 'sync/server/ may not import electron/';
      if (target.kind === 'electron-package') return 'sync/server/ may not import electron';
      if (to === 'renderer') return 'sync/server/ may not import renderer/';
      if (to === 'sync/client') return 'sync/server/ may not import sync/client/';
      return undefined;
    default:
      return undefined;
  }
}

/** The rule applied to one file's content; `file` is repo-relative with / separators. */
export function checkSource(file: string, source: string): Violation[] {
  return moduleSpecifiers(file, source).flatMap((specifier) => {
    const reason = breaks(file, resolveTarget(file, specifier));
    return reason ? [{ file, specifier, reason }] : [];
  });
}

/** Repo-relative paths of the .ts/.tsx files of every layer. */
function layerFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(full);
      } else if (/\.(ts|tsx|mts|cts)$/.test(entry.name)) {
        out.push(path.relative(ROOT, full).split(path.sep).join('/'));
      }
    }
  };
  for (const layer of LAYERS) walk(path.join(ROOT, layer));
  return [...new Set(out)].sort();
}

describe('dependency rule (DESIGN.md)', () => {
  it('holds for every file of every layer', () => {
    const files = layerFiles();
    expect(files.filter((f) => f.startsWith('shared/')).length).toBeGreaterThan(0);
    const violations = files
      .flatMap((f) => checkSource(f, fs.readFileSync(path.join(ROOT, f), 'utf8')))
      .map((v) => `${v.file}: imports '${v.specifier}': ${v.reason}`);
    expect(violations).toEqual([]);
  });

  it('catches violations in synthetic files (self-test of the scanner)', () => {
    const sharedSource = [
      `import fs from 'node:fs';`,
      `import path from 'path';`,
      `import type { Migration } from '../../sync/server/db/migrate.js';`,
      `export * from '../../renderer/app.js';`,
      `export { main } from '../../electron/main.js';`,
      `import { ipcRenderer } from 'electron';`,
      `const lazy = () => import('../../sync/client/replica.js');`,
      `type Gen = typeof import('../../scripts/gen-sqlite-schema.js');`,
      `import { it } from 'vitest';`,
      `import { z } from 'zod';`,
      `import { col } from './columns.js';`,
      `// import '../../renderer/commented-out.js';`,
      `/* export * from '../../electron/in-a-comment.js'; */`,
      `const s = "import '../../renderer/in-a-string.js'";`,
      `const quote = /"/g; const t = \`import('../../electron/in-a-template.js')\`;`,
    ].join('\n');
    expect(checkSource('shared/schema/bad.ts', sharedSource).map((v) => v.specifier)).toEqual([
      'node:fs',
      'path',
      '../../sync/server/db/migrate.js',
      '../../renderer/app.js',
      '../../electron/main.js',
      'electron',
      '../../sync/client/replica.js',
      '../../scripts/gen-sqlite-schema.js',
      'vitest',
    ]);
    // shared/ tests may use Node built-ins and vitest, but still no other layer.
    expect(checkSource('shared/schema/bad.test.ts', sharedSource).map((v) => v.specifier)).toEqual([
      '../../sync/server/db/migrate.js',
      '../../renderer/app.js',
      '../../electron/main.js',
      'electron',
      '../../sync/client/replica.js',
      '../../scripts/gen-sqlite-schema.js',
    ]);

    const rendererSource = [
      `import { tables } from '../shared/schema/tables.js';`,
      `import { api } from '../sync/client/api.js';`,
      `export const Hint = () => <p>Don't import '../electron/preload.js' here</p>;`,
      `const later = () => import('../electron/preload.js');`,
      `import os from 'os';`,
    ].join('\n');
    expect(checkSource('renderer/Hint.tsx', rendererSource)).toEqual([
      { file: 'renderer/Hint.tsx', specifier: '../sync/client/api.js', reason: 'renderer/ may not import sync/' },
      {
        file: 'renderer/Hint.tsx',
        specifier: '../electron/preload.js',
        reason: 'renderer/ may not import electron/',
      },
      { file: 'renderer/Hint.tsx', specifier: 'os', reason: 'renderer/ may not import Node built-ins' },
    ]);

    const clientSource = [
      `import { app } from 'electron';`,
      `import { migrate } from '../server/db/migrate.js';`,
      `import preload from '../../electron/preload.js';`,
      `import { SYNCED_TABLES } from '../../shared/schema/tables.js';`,
      `import fs from 'node:fs';`,
      `export { View } from '../../renderer/view.js';`,
    ].join('\n');
    expect(checkSource('sync/client/open.ts', clientSource).map((v) => v.specifier)).toEqual([
      'electron',
      '../server/db/migrate.js',
      '../../electron/preload.js',
      '../../renderer/view.js',
    ]);

    const serverSource = `import { open } from '../client/replica.js';\nimport { BrowserWindow } from 'electron/main';`;
    expect(checkSource('sync/server/x.ts', serverSource).map((v) => v.reason)).toEqual([
      'sync/server/ may not import sync/client/',
      'sync/server/ may not import electron',
    ]);
    expect(checkSource('electron/main.ts', `import '../renderer/index.js';\nimport '../sync/client/x.js';`)).toEqual([
      { file: 'electron/main.ts', specifier: '../renderer/index.js', reason: 'electron/ may not import renderer/' },
    ]);
    expect(checkSource('electron/main/window.ts', `import { app } from 'electron';`)).toEqual([]);
    expect(
      checkSource('electron/services/app-host.ts', `import { app } from 'electron';\nimport '../../sync/client/x.js';`),
    ).toEqual([
      {
        file: 'electron/services/app-host.ts',
        specifier: 'electron',
        reason: 'electron/services/ and electron/bridge/ may not import electron (they run in plain Node)',
      },
    ]);
    expect(checkSource('electron/bridge/server.ts', `import { ipcMain } from 'electron/main';`)).toHaveLength(1);
  });
});
