/**
 * Browser mode serves the renderer's Vite build (dist/renderer). It is rebuilt when missing or older
 * than any renderer or shared source (the renderer bundles shared/), with the renderer's own build
 * script; until that exists, start-web says so instead of serving nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class RendererBuildError extends Error {
  readonly code = 'renderer_build';
}

const SKIP = new Set(['node_modules', '.tsbuild', 'dist']);

/** The newest modification time of the files under `dirs` (tests excluded), ms. */
export function newestSourceMtime(dirs: readonly string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) walk(full);
      } else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(d);
  return newest;
}

/** Why the build is needed, or null when dist/renderer is up to date. */
export function staleReason(root: string, outDir: string): string | null {
  const index = path.join(outDir, 'index.html');
  if (!fs.existsSync(index)) return `${path.relative(root, index)} is missing`;
  const built = fs.statSync(index).mtimeMs;
  const sources = newestSourceMtime([path.join(root, 'renderer'), path.join(root, 'shared')]);
  return sources > built ? 'renderer sources changed since the last build' : null;
}

/** Builds the renderer when stale; the build's output goes to stderr. */
export async function ensureRendererBuilt(root: string, outDir: string, log: (line: string) => void): Promise<void> {
  const why = staleReason(root, outDir);
  if (!why) return;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  if (!pkg.scripts?.['build:renderer'] || !fs.existsSync(path.join(root, 'renderer', 'vite.config.ts')))
    throw new RendererBuildError(
      `The renderer has to be built (${why}), but renderer/vite.config.ts or the npm script build:renderer ` +
        'does not exist yet in this version of Fieldline.',
    );
  log(`Building the renderer (${why})…`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'build:renderer'], {
      cwd: root,
      stdio: ['ignore', 2, 2],
      shell: process.platform === 'win32',
    });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0)
    throw new RendererBuildError(`npm run build:renderer failed (exit code ${code}); see its output above.`);
  if (!fs.existsSync(path.join(outDir, 'index.html')))
    throw new RendererBuildError(`npm run build:renderer finished but wrote no ${path.join(outDir, 'index.html')}.`);
}
