import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode, type NodeConfig, type RunningNode } from '../../node/index.js';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

export interface TestNode {
  readonly node: RunningNode;
  readonly port: number;
  /** amqp://guest:guest@127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

/** A fresh temporary data folder; removed by the returned function. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'warren-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A real node in this process on a free loopback port with its own temporary data folder (removed on
 * close unless the caller passed a dataDir); close it in t.teardown.
 */
export async function startTestNode(overrides: Partial<NodeConfig> = {}): Promise<TestNode> {
  const temp = overrides.dataDir === undefined ? tempDataDir() : null;
  const node = await startNode({ amqpPort: 0, amqpHost: '127.0.0.1', mgmtPort: 0, mgmtHost: '127.0.0.1', logLevel: 'silent', ...(temp ? { dataDir: temp.dir } : {}), ...overrides });
  const port = node.amqp.port;
  return {
    node,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    close: async () => {
      await node.close();
      temp?.remove();
    },
  };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} not listening after ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface SpawnedNode {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly output: () => string;
  /** Ends the process (SIGTERM unless told); a data folder this helper made is removed once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A node as a separate process, started exactly as a user would (`node dist/node/main.js ...`). */
export async function spawnNode(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<SpawnedNode> {
  const port = await freePort();
  const temp = args.includes('--data-dir') ? null : tempDataDir();
  const dataArgs = temp ? ['--data-dir', temp.dir] : [];
  const mgmtArgs = args.includes('--mgmt-port') ? [] : ['--mgmt-port', String(await freePort()), '--mgmt-host', '127.0.0.1'];
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'node', 'main.js'), '--amqp-port', String(port), '--amqp-host', '127.0.0.1', ...mgmtArgs, ...dataArgs, ...args], {
    env: { ...process.env, WARREN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitForPort(port);
  return {
    child,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      // already gone (exited, or killed by a signal): 'exit' will not fire again
      const exited = child.exitCode !== null || child.signalCode !== null;
      if (!exited) child.kill(signal);
      const code = exited ? child.exitCode : ((await once(child, 'exit'))[0] as number | null);
      temp?.remove();
      return code;
    },
  };
}
