// Real redis-server processes for tests: each on a free loopback port, no persistence, killed by pid in
// teardown. Tests skip with a printed reason when /usr/bin/redis-server is missing
// (`npm test` installs it: scripts/system-deps.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { freePort, waitForPort } from './node.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** false when redis-server is there, else the reason to skip (printed once). */
export const redisSkip: string | false = existsSync(REDIS_SERVER) ? false : `${REDIS_SERVER} missing (apt-get install redis-server)`;
if (redisSkip) console.error(`# skip: ${redisSkip}`);

export interface TestRedis {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly pid: () => number | undefined;
  readonly running: () => boolean;
  /** Kills the process (SIGKILL by default) and waits for it to exit. Its data is gone (no persistence). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a fresh, empty server on the same port. */
  restart(): Promise<void>;
}

function launch(port: number): { child: ChildProcess; output: () => string } {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function ready(child: ChildProcess, output: () => string, port: number): Promise<void> {
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`redis-server on ${port} exited (${String(code)}): ${output().slice(-500)}`);
  });
  exited.catch(() => undefined);
  await Promise.race([waitForPort(port, 10_000), exited]);
  const deadline = Date.now() + 10_000;
  while (!output().includes('Ready to accept connections')) {
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} not ready: ${output().slice(-500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts redis-server; register `stop` with t.teardown (the returned `kill`). */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let current = launch(port);
  await ready(current.child, current.output, port);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const { child } = current;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exit = once(child, 'exit');
    process.kill(child.pid, signal);
    await exit;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => current.child.pid,
    running: () => current.child.exitCode === null && current.child.signalCode === null,
    kill,
    async restart() {
      await kill();
      current = launch(port);
      await ready(current.child, current.output, port);
    },
  };
}
