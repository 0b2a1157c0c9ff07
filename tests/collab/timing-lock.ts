import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'threatroom-collab-timing.lock');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs `fn` while no other timing-sensitive collab test runs (in any vitest worker): the
 * latency, kill -9, outage and churn tests each saturate a small machine's cores, and would
 * otherwise measure each other rather than the server. A lock left by a dead process is
 * broken.
 */
export async function exclusively<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(LOCK, 'utf8'));
      } catch {
        continue;
      }
      if (holder && !alive(holder)) {
        rmSync(LOCK, { force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}
