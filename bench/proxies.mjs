// The proxies the proxy bench puts in front of one Warren node: warren-proxy (this repo's dist/proxy) and,
// when the `haproxy` binary is installed, an HAProxy of our own (generated config in a temp folder; never
// the system service). Each listens on a free loopback port, with that node as its single backend.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer } from './brokers.mjs';

/** HAProxy runs one thread, as warren-proxy runs one event loop: the same CPU budget for both. */
const HAPROXY_THREADS = 1;

async function startProxy(name, note, argvFor) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `warren-bench-${name}-`));
  const server = await startServer(name, argvFor(port, dir), port, join(dir, 'output.log')).catch((e) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  return {
    name,
    host: '127.0.0.1',
    port,
    pid: server.pid,
    note: `pid ${server.pid} on 127.0.0.1:${port}, ${note}`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** warren-proxy as deployed: its defaults (tcp check every 2 s, no idle timeout, stats server and metrics on). */
export function startWarrenProxy(root, backend) {
  return startProxy('warren-proxy', 'defaults: tcp check every 2 s, no idle timeout, stats server on (free port)', (port) => [process.execPath,
    join(root, 'dist', 'proxy', 'main.js'), '--listen', `127.0.0.1:${port}`, '--backends', `warren=${backend.host}:${backend.port}`,
    '--stats', '127.0.0.1:0', '--log-level', 'warn', '--shutdown-grace', '1000']);
}

/** HAProxy in TCP mode, or { skipped } when it is not installed. */
export async function startHAProxy(backend) {
  const v = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return { skipped: 'haproxy is not installed; apt-get install haproxy' };
  const version = /version (\S+)/.exec(v.stdout)?.[1] ?? '?';
  const note = `HAProxy ${version}, mode tcp, nbthread ${HAPROXY_THREADS} (warren-proxy has one event loop), tcp check every 2 s, timeout client/server 3h`;
  return startProxy('haproxy', note, (port, dir) => {
    const cfg = join(dir, 'haproxy.cfg');
    // timeouts far above any AMQP heartbeat: the proxy must never cut a quiet connection mid-run
    writeFileSync(cfg, `global
  nbthread ${HAPROXY_THREADS}
  maxconn 1000
defaults
  mode tcp
  timeout connect 5s
  timeout client 3h
  timeout server 3h
frontend amqp
  bind 127.0.0.1:${port}
  default_backend warren
backend warren
  server warren ${backend.host}:${backend.port} check inter 2s
`);
    return ['haproxy', '-f', cfg, '-db'];
  });
}
