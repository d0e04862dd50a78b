// Failover soak for warren-proxy (not a test): one Warren node behind two proxies sharing a VIP in bind
// mode on a loopback alias. Each round stops the current active (alternately kill -9 and SIGTERM),
// measures how long until the survivor serves AMQP on the VIP (connection.start back through the proxy,
// and the survivor counted the session), then restarts the stopped proxy as the new standby. Prints each
// round and the percentiles per kind. Traffic stays on 127.0.0.0/8; every process is ours and ended by pid.
//
//   npm run build && node scripts/proxy-failover-soak.mjs [--rounds 20] [--interval 200] [--redis]
//
// --redis starts a throwaway redis-server (when /usr/bin/redis-server exists) and fences with the lease.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepare, root } from './prepare.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, interval: { type: 'string', default: '200' }, redis: { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false } } });
const ROUNDS = Math.min(200, Math.max(1, Number(values.rounds)));
const INTERVAL = Math.max(20, Number(values.interval));
const VIP = '127.0.0.60';
const ROUND_LIMIT_MS = 20_000;
const DEADLINE = Date.now() + 30 * 60_000;

if (!values['no-build']) prepare({ quiet: true });
const { amqpProbe } = await import(join(root, 'dist', 'proxy', 'health', 'amqp.js'));

const dir = mkdtempSync(join(tmpdir(), 'warren-proxy-soak-'));
const children = new Set();
const cleanup = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
async function waitForPort(port, host = '127.0.0.1', ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = connect({ port, host });
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => (s.destroy(), r(false)));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${port} not listening`);
    await sleep(50);
  }
}
function start(cmd, args, name) {
  // The node's other listeners (management API) on free loopback ports too, so the soak runs beside anything.
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WARREN_MGMT_PORT: '0', WARREN_MGMT_HOST: '127.0.0.1' } });
  let out = '';
  c.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
  c.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
  c.output = () => out;
  c.name = name;
  children.add(c);
  return c;
}

const nodePort = await freePort();
const warren = start(process.execPath, [join(root, 'dist', 'node', 'main.js'), '--amqp-port', String(nodePort), '--amqp-host', '127.0.0.1', '--log-level', 'warn'], 'warren');
await Promise.race([waitForPort(nodePort), once(warren, 'exit').then(() => Promise.reject(new Error(`soak: the Warren node exited: ${warren.output()}`)))]);

let redisUrl = '';
if (values.redis) {
  if (!existsSync('/usr/bin/redis-server')) {
    console.error('soak: /usr/bin/redis-server not installed; running without the lease');
  } else {
    const rp = await freePort();
    start('/usr/bin/redis-server', ['--port', String(rp), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], 'redis');
    await waitForPort(rp);
    redisUrl = `redis://127.0.0.1:${rp}`;
  }
}

const fePort = await freePort();
const adverts = [await freePort(), await freePort()];
const stats = [await freePort(), await freePort()];
function config(me) {
  const c = {
    'log-level': 'warn',
    stats: `127.0.0.1:${stats[me]}`,
    'vip-mode': 'bind',
    'vip-address': VIP,
    'vip-bind': `127.0.0.1:${adverts[me]}`,
    'vip-peers': [`127.0.0.1:${adverts[1 - me]}`],
    'vip-priority': me === 0 ? 100 : 90,
    'vip-preempt': false, // the restarted proxy stays standby, so each round is one unplanned or planned failover
    'vip-advert-interval': INTERVAL,
    'vip-id': `soak-${me}`,
    'shutdown-grace': 1000,
    ...(redisUrl ? { 'redis-url': redisUrl } : {}),
    pools: [{ name: 'warren', check: { type: 'amqp', inter: 1000 }, backends: [`127.0.0.1:${nodePort}`] }],
    frontends: [{ name: 'amqp', listen: [`:${fePort}`] }],
  };
  const path = join(dir, `proxy-${me}.json`);
  writeFileSync(path, JSON.stringify(c));
  return path;
}
const proxies = [null, null];
async function startProxy(me) {
  proxies[me] = start(process.execPath, [join(root, 'dist', 'proxy', 'main.js'), '--config', config(me)], `proxy-${me}`);
  await waitForPort(stats[me]);
}
const json = async (me) => (await fetch(`http://127.0.0.1:${stats[me]}/stats.json`)).json();
const healthy = async (me) => (await fetch(`http://127.0.0.1:${stats[me]}/healthz`)).status === 200;
const probe = async () => (await amqpProbe({ host: VIP, port: fePort, timeout: 300, path: '/', expectStatus: [] })).ok;

async function until(what, f, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`soak: timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** ms from `since` until proxy `me` serves on the VIP. */
async function servedBy(me, since) {
  let before = (await json(me)).frontends[0].total;
  while (Date.now() - since < ROUND_LIMIT_MS) {
    if (await probe()) {
      const at = Date.now();
      const after = (await json(me)).frontends[0].total;
      if (after > before) return at - since;
      before = after;
    }
    await sleep(10);
  }
  throw new Error(`soak: proxy-${me} did not serve within ${ROUND_LIMIT_MS} ms`);
}

await startProxy(0);
await startProxy(1);
await until('an active proxy', async () => (await healthy(0)) || (await healthy(1)), 30_000);
console.log(`soak: ${ROUNDS} rounds, advert interval ${INTERVAL} ms, dead after ${3 * INTERVAL} ms, ${redisUrl ? 'redis lease' : 'no lease'}`);

const results = { 'kill -9': [], SIGTERM: [] };
for (let round = 1; round <= ROUNDS && Date.now() < DEADLINE; round++) {
  const active = (await healthy(0)) ? 0 : 1;
  const survivor = 1 - active;
  await until(`proxy-${survivor} to be a live standby`, async () => (await json(survivor)).vip.peers.some((p) => p.role === 'active' && p.lastSeenMsAgo < INTERVAL * 2), 30_000);
  const kind = Math.floor((round - 1) / 2) % 2 === 0 ? 'kill -9' : 'SIGTERM'; // kill, kill, term, term: each kind hits both proxies
  const victim = proxies[active];
  const t0 = Date.now();
  victim.kill(kind === 'kill -9' ? 'SIGKILL' : 'SIGTERM');
  const ms = await servedBy(survivor, t0);
  results[kind].push(ms);
  console.log(`round ${String(round).padStart(3)}: ${kind.padEnd(7)} proxy-${active} -> proxy-${survivor} serving after ${ms} ms`);
  if (victim.exitCode === null && victim.signalCode === null) await once(victim, 'exit');
  children.delete(victim);
  await startProxy(active);
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
console.log('\nfailover: time until the standby serves AMQP on the VIP (ms)');
console.log('kind     rounds   p50   p90   p99   max');
for (const [kind, xs] of Object.entries(results)) {
  if (xs.length === 0) continue;
  console.log(`${kind.padEnd(8)} ${String(xs.length).padStart(6)} ${[50, 90, 99].map((p) => String(pct(xs, p)).padStart(5)).join(' ')} ${String(Math.max(...xs)).padStart(5)}`);
}
process.exit(0);
