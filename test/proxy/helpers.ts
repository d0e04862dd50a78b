import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { resolveProxyConfig } from '../../proxy/config.js';
import { Proxy } from '../../proxy/proxy.js';
import type { StatsSnapshot } from '../../proxy/stats/snapshot.js';
import { createLogger } from '../../shared/log.js';
import { freePort, ROOT, waitForPort } from '../helpers/node.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `f` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(what: string, f: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 25): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined;
    try {
      v = await f();
    } catch {
      v = undefined;
    }
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A TCP backend that greets each connection with `<name>\n` and then echoes what it receives. */
export interface TagServer {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  readonly sockets: Set<Socket>;
  accepted: number;
  close(): Promise<void>;
}

export async function tagServer(name: string, opts: { port?: number; greet?: boolean; onSocket?: (s: Socket) => void } = {}): Promise<TagServer> {
  const sockets = new Set<Socket>();
  const t: TagServer = {
    name,
    port: 0,
    sockets,
    accepted: 0,
    server: createServer({ allowHalfOpen: true }, (s) => {
      t.accepted++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      if (opts.onSocket) return opts.onSocket(s);
      if (opts.greet !== false) s.write(`${name}\n`);
      s.pipe(s);
    }),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => t.server.close(r));
    },
  };
  t.server.listen(opts.port ?? 0, '127.0.0.1');
  await once(t.server, 'listening');
  (t as { port: number }).port = (t.server.address() as { port: number }).port;
  return t;
}

/** Connects and resolves the first line the backend sends (its name), keeping the socket open. */
export async function greeting(port: number, host = '127.0.0.1', localAddress?: string): Promise<{ name: string; socket: Socket }> {
  const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
  socket.on('error', () => {});
  let buf = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no greeting from ${host}:${port}`))), 5000);
    socket.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        resolve({ name: buf.slice(0, nl), socket });
      }
    });
    socket.on('close', () => (clearTimeout(timer), reject(new Error(`closed without a greeting from ${host}:${port}`))));
  });
}

/** Opens, reads the greeting and closes: which backend served one connection. */
export async function whoServes(port: number, host = '127.0.0.1', localAddress?: string): Promise<string> {
  const { name, socket } = await greeting(port, host, localAddress);
  socket.destroy();
  return name;
}

/** A proxy in this process (fast to start), from a config object written as the file would be. */
export async function startProxy(file: Record<string, unknown>): Promise<Proxy & { close(): Promise<void> }> {
  const config = resolveProxyConfig({ file: { 'log-level': 'silent', stats: '127.0.0.1:0', ...file }, env: {}, flags: {} });
  const p = new Proxy(config, createLogger(config.logLevel, 'warren-proxy-test')) as Proxy & { close(): Promise<void> };
  await p.start();
  p.close = () => p.stop(0);
  return p;
}

export function frontendPort(p: Proxy, name = 'main'): number {
  const a = p.frontends.get(name)!.addresses[0]!;
  return Number(a.slice(a.lastIndexOf(':') + 1));
}

export interface SpawnedProxy {
  readonly child: ChildProcess;
  readonly statsPort: number;
  readonly configPath: string;
  output(): string;
  stats(): Promise<StatsSnapshot>;
  healthz(): Promise<{ status: number; body: { ready: boolean; role: string; epoch: number } }>;
  post(path: string): Promise<number>;
  writeConfig(config: Record<string, unknown>): void;
  signal(sig: NodeJS.Signals): void;
  stop(sig?: NodeJS.Signals): Promise<number | null>;
  readonly exited: boolean;
}

const tmpRoot = mkdtempSync(join(tmpdir(), 'warren-proxy-test-'));
process.on('exit', () => rmSync(tmpRoot, { recursive: true, force: true }));
let configs = 0;

/** Every proxy process this test file started, so a failed test still ends them (by pid). */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A real `warren-proxy --config FILE` process, its stats server on a free port. */
export async function spawnProxy(config: Record<string, unknown>, flags: string[] = []): Promise<SpawnedProxy> {
  const statsPort = await freePort();
  const configPath = join(tmpRoot, `proxy-${process.pid}-${++configs}.yaml`);
  const write = (c: Record<string, unknown>): void => writeFileSync(configPath, stringify({ 'log-level': 'info', ...c, stats: `127.0.0.1:${statsPort}` }));
  write(config);
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'proxy', 'main.js'), '--config', configPath, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = once(child, 'exit');
  await Promise.race([
    waitForPort(statsPort),
    exit.then(() => Promise.reject(new Error(`warren-proxy exited at start: ${out}`))),
  ]);
  const base = `http://127.0.0.1:${statsPort}`;
  return {
    child,
    statsPort,
    configPath,
    output: () => out,
    stats: async () => (await (await fetch(`${base}/stats.json`)).json()) as StatsSnapshot,
    healthz: async () => {
      const r = await fetch(`${base}/healthz`);
      return { status: r.status, body: (await r.json()) as { ready: boolean; role: string; epoch: number } };
    },
    post: async (path) => (await fetch(`${base}${path}`, { method: 'POST' })).status,
    writeConfig: write,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    async stop(sig = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(sig);
      const [code] = await exit;
      return code as number | null;
    },
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
  };
}

/** Runs `warren-proxy` with arguments to completion (for config errors): exit code and output. */
export function runProxyCli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'proxy', 'main.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function writeTemp(name: string, text: string): string {
  const p = join(tmpRoot, name);
  writeFileSync(p, text);
  return p;
}

/** A real redis-server on a free loopback port, or null (with the reason) when none is installed. */
export async function startRedis(): Promise<{ url: string; port: number; child: ChildProcess; stop(): Promise<void> } | { skip: string }> {
  const bin = '/usr/bin/redis-server';
  if (!existsSync(bin)) return { skip: `${bin} not installed (apt-get install redis-server)` };
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  children.add(child);
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
