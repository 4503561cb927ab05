/**
 * better-sqlite3 built for Electron's ABI, kept apart from node_modules so the Node build that the
 * tests, the CLI and the stack load stays as it is. Built once per Electron version into
 * .cache/electron-native/<version>/ (a copy of the package rebuilt there by @electron/rebuild);
 * `npm start` hands its path to the app through FIELDLINE_SQLITE_BINDING.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export class NativeBuildError extends Error {
  readonly code = 'native_build_failed';
  constructor(detail: string) {
    super(
      `Could not build better-sqlite3 for Electron (${detail}). It needs Electron's headers from the ` +
        'network and a C++ toolchain (python3, make, g++); or package the app with `npm run dist`.',
    );
    this.name = 'NativeBuildError';
  }
}

/** The Electron executable, or null where its binary was never downloaded (the package alone is a stub). */
export function electronBinary(): string | null {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown;
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export async function electronNativeBinding(root: string): Promise<string> {
  const require = createRequire(path.join(root, 'package.json'));
  const version = (require('electron/package.json') as { version: string }).version;
  const project = path.join(root, '.cache/electron-native', version);
  const binding = path.join(project, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (fs.existsSync(binding)) return binding;

  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  fs.rmSync(project, { recursive: true, force: true });
  fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
  fs.cpSync(source, path.join(project, 'node_modules/better-sqlite3'), {
    recursive: true,
    filter: (f) => !f.includes(`${path.sep}build${path.sep}`),
  });
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'fieldline-electron-native', private: true, dependencies: { 'better-sqlite3': '*' } }),
  );
  const rebuild = path.join(path.dirname(require.resolve('@electron/rebuild/package.json')), 'lib/cli.js');
  const code = await new Promise<number | null>((resolve) =>
    spawn(process.execPath, [rebuild, '--version', version, '--module-dir', project, '--only', 'better-sqlite3'], {
      stdio: 'inherit',
    }).on('exit', resolve),
  );
  if (code !== 0 || !fs.existsSync(binding)) throw new NativeBuildError(`exit ${code}`);
  return binding;
}
