/** `npm run shape-service`: the shape service alone, configured like Electric (see config.ts). */
import { ConfigError, configFromEnv } from './config.js';
import { startShapeService } from './service.js';

async function main() {
  const config = configFromEnv();
  const service = await startShapeService(config, (m) => process.stderr.write(m + '\n'));
  process.stderr.write(`Shape service listening on ${service.url} (storage ${config.storageDir})\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof ConfigError ? '' : 'Shape service failed: '}${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
