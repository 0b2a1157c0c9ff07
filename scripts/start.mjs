// `npm start`: builds the web app when its build is missing, then runs the server in this
// process (so SIGTERM reaches it directly).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

if (existsSync('web/svelte.config.js') && !existsSync('web/build/index.html')) {
  console.log('Building the web app (first start only)…');
  const built = spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
register();
await import('../server/main.ts');
