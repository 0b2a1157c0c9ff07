import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * Builds the web app once per run so the suites test the current sources (set
 * E2E_SKIP_BUILD=1 to reuse web/build), and makes sure the artifacts folder exists.
 */
export default function setup() {
  mkdirSync('test-artifacts', { recursive: true });
  if (process.env.E2E_SKIP_BUILD === '1') return;
  const built = spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build:web failed');
}
