/**
 * Bundles the Electron side into dist/electron/main/: main.js (ESM main process), engine-worker.js
 * (the sync engine's thread, which SyncEngine finds beside the bundle) and preload.cjs (sandboxed
 * preloads must be one CommonJS file). Native and Electron modules stay external.
 *
 * The bundles sit three folders deep on purpose, like the sources they come from: code that finds
 * files relative to itself (the replica's migrations/sqlite, the renderer in dist/renderer) resolves
 * the same way from the bundle, in the repository and inside the packaged app.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ELECTRON_OUT_DIR = path.join(root, 'dist/electron/main');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: ['electron', 'better-sqlite3'],
  logLevel: 'warning',
  legalComments: 'none',
};

// Bundled CommonJS dependencies call require(); give ESM output a real one.
const esmRequire = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

export async function buildElectron(): Promise<void> {
  await Promise.all([
    build({
      ...common,
      format: 'esm',
      entryPoints: {
        main: path.join(root, 'electron/main/main.ts'),
        'engine-worker': path.join(root, 'sync/client/engine/engine-worker.ts'),
      },
      outdir: ELECTRON_OUT_DIR,
      banner: { js: esmRequire },
    }),
    build({
      ...common,
      format: 'cjs',
      entryPoints: { preload: path.join(root, 'electron/preload/preload.ts') },
      outdir: ELECTRON_OUT_DIR,
      outExtension: { '.js': '.cjs' },
    }),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildElectron().then(
    () => console.log(`Electron bundles written to ${path.relative(process.cwd(), ELECTRON_OUT_DIR)}/`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
