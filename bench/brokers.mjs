// The brokers a bench run measures: a Warren node it starts itself (fresh data folder, free port), and a
// RabbitMQ already running on loopback, if any. Only the Warren child is ever stopped.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort() {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Resolves true when something accepts TCP connections on host:port within timeoutMs. */
export function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Waits until the child listens on port; fails early if it exits first (a bad config, a port taken). */
async function waitForPort(what, child, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await reachable('127.0.0.1', port, 500)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port} (${child.exitCode === null ? `not within ${timeoutMs} ms` : `exited with ${child.exitCode}`})`);
}

/**
 * Spawns a server process that listens on a loopback `port`, its output appended to logFile, and waits
 * until it accepts connections. It runs in its own session (`detached`), hence its own scheduler autogroup
 * like a service (a RabbitMQ, an HAProxy): on a shared machine the kernel then splits CPU between it and
 * the load generator the same way for every server measured. stop() ends only this child.
 */
export async function startServer(what, argv, port, logFile) {
  const log = openSync(logFile, 'a');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', log, log], detached: true });
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  await waitForPort(what, child, port, 20_000);
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(timer);
      }
      process.off('exit', orphanGuard);
    },
  };
}

/** Starts `node dist/node/main.js` on a free loopback port with its own temporary data folder. */
export async function startWarren(root) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'warren-bench-'));
  const logFile = join(dir, 'warren.log');
  const server = await startServer('Warren', [process.execPath, join(root, 'dist', 'node', 'main.js'), '--amqp-port', String(port), '--amqp-host', '127.0.0.1',
    '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--log-level', 'warn'], port, logFile);
  return {
    name: 'Warren',
    host: '127.0.0.1',
    port,
    pid: server.pid,
    logFile,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

/** RabbitMQ at WARREN_BENCH_RABBITMQ (host:port or port; default 127.0.0.1:5672), loopback only. */
export async function findRabbitMQ(env = process.env) {
  const spec = env.WARREN_BENCH_RABBITMQ ?? '127.0.0.1:5672';
  if (spec === 'off' || spec === 'none') return { skipped: 'WARREN_BENCH_RABBITMQ=off' };
  const m = /^(?:(.+):)?(\d+)$/.exec(spec);
  if (!m) return { skipped: `WARREN_BENCH_RABBITMQ="${spec}" is not host:port` };
  const host = m[1] ?? '127.0.0.1';
  const port = Number(m[2]);
  if (!LOOPBACK.test(host)) return { skipped: `${host} is not a loopback address (the bench only sends traffic to 127.0.0.1)` };
  if (!(await reachable(host, port))) return { skipped: `nothing listening on ${host}:${port}` };
  const pid = listenerPid(port) ?? beamPid();
  return { name: 'RabbitMQ', host, port, pid, openFiles: pid ? openFilesLimit(pid) : null, async stop() {} };
}

/** The pid listening on a TCP port, from `ss -ltnp` (null when ss is missing or says nothing). */
function listenerPid(port) {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The one beam.smp process (by process name, so shells whose command line mentions it do not count). */
function beamPid() {
  try {
    const pids = execFileSync('pgrep', ['-x', 'beam.smp'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    return pids.length === 1 ? Number(pids[0]) : null;
  } catch {
    return null;
  }
}

/** The soft open-files limit of a process: it caps how many connections a broker can hold (scenario h). */
function openFilesLimit(pid) {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  }
}
