import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built SPA the e2e servers serve (WEB_DIR). */
    webDir: string;
  }
}

/**
 * Builds the web app once per run, into a directory of its own so a concurrent run (or
 * someone's `npm run build:web`) cannot swap chunks under a running test. E2E_SKIP_BUILD=1
 * reuses web/build instead.
 */
export default function setup(project: TestProject) {
  mkdirSync('test-artifacts', { recursive: true });
  if (process.env.E2E_SKIP_BUILD === '1') {
    project.provide('webDir', resolve('web/build'));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'threatroom-web-'));
  // SvelteKit runs its server output during the build, so its working directory must sit
  // where node can resolve our packages: under node_modules (ignored by git).
  mkdirSync('node_modules/.cache', { recursive: true });
  const kit = mkdtempSync(resolve('node_modules/.cache/threatroom-e2e-kit-'));
  const built = spawnSync('npm', ['run', 'build:web'], {
    stdio: 'inherit',
    env: { ...process.env, THREATROOM_WEB_BUILD_DIR: join(dir, 'build'), THREATROOM_KIT_DIR: kit },
  });
  const cleanUp = () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(kit, { recursive: true, force: true });
  };
  if (built.status !== 0) {
    cleanUp();
    throw new Error('npm run build:web failed');
  }
  project.provide('webDir', join(dir, 'build'));
  return cleanUp;
}
