/**
 * VIP linux mode (`ip addr add/del` + gratuitous ARP), only inside network namespaces this test creates:
 * two "hosts" A and B and a "switch" C with a bridge, a client and nothing else; addresses 10.213.0.0/24
 * exist only inside these namespaces and the machine's own interfaces are never touched. Each proxy
 * forwards to a greeter in its own namespace, so the client learns which host served it.
 *
 * Skips with a printed reason when not root, without `ip`, or where namespaces cannot be made.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { stringify } from 'yaml';
import { findExecutable } from '../../proxy/vip/linux-mode.js';
import { ROOT } from '../helpers/node.js';
import { sleep, waitFor, writeTemp } from './helpers.js';

const tag = `wpx${process.pid % 100000}`;
const NS = { a: `${tag}a`, b: `${tag}b`, c: `${tag}c` };
const VIP = '10.213.0.50';
const ADDR = { a: '10.213.0.11', b: '10.213.0.12', c: '10.213.0.1' };

function ip(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function skipReason(): string | null {
  if (process.platform !== 'linux') return 'linux only';
  if (process.getuid?.() !== 0) return 'needs root (ip netns, ip addr)';
  if (!findExecutable('ip')) return 'the ip command (iproute2) is not installed';
  const probe = ip('netns', 'add', `${tag}probe`);
  if (!probe.ok) return `cannot create a network namespace: ${probe.out.trim()}`;
  ip('netns', 'del', `${tag}probe`);
  return null;
}

const reason = skipReason();
if (reason) {
  t.comment(`skipping: ${reason}`);
  t.pass(`skipped: ${reason}`);
} else {
  await run();
}

async function run(): Promise<void> {
  const procs = new Set<ChildProcess>();
  t.teardown(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const ns of Object.values(NS)) ip('netns', 'del', ns);
  });
  const must = (...args: string[]): void => {
    const r = ip(...args);
    if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.out}`);
  };
  for (const ns of Object.values(NS)) {
    must('netns', 'add', ns);
    must('-n', ns, 'link', 'set', 'lo', 'up');
  }
  must('-n', NS.c, 'link', 'add', 'br0', 'type', 'bridge');
  must('-n', NS.c, 'addr', 'add', `${ADDR.c}/24`, 'dev', 'br0');
  must('-n', NS.c, 'link', 'set', 'br0', 'up');
  for (const h of ['a', 'b'] as const) {
    must('link', 'add', `${tag}${h}0`, 'netns', NS[h], 'type', 'veth', 'peer', 'name', `${tag}${h}1`, 'netns', NS.c);
    must('-n', NS[h], 'link', 'set', `${tag}${h}0`, 'name', 'eth0');
    must('-n', NS[h], 'addr', 'add', `${ADDR[h]}/24`, 'dev', 'eth0');
    must('-n', NS[h], 'link', 'set', 'eth0', 'up');
    must('-n', NS.c, 'link', 'set', `${tag}${h}1`, 'master', 'br0');
    must('-n', NS.c, 'link', 'set', `${tag}${h}1`, 'up');
  }

  const inNs = (ns: string, args: string[]): ChildProcess => {
    const p = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    procs.add(p);
    return p;
  };
  // A greeter in each host namespace: what the proxy there forwards to.
  const greeters = (['a', 'b'] as const).map((h) => {
    const g = inNs(NS[h], ['-e', `require('net').createServer((s) => { s.on('error', () => {}); s.end('${h}\\n'); }).listen(7000, '127.0.0.1', () => console.log('ready'))`]);
    return new Promise((r) => g.stdout!.once('data', r));
  });
  await Promise.all(greeters); // before the proxies start, so their track checks pass from the first one

  // The client in C: one line per probe, answering the greeting or 'fail'.
  const client = inNs(NS.c, [
    '-e',
    `const net = require('net');
     require('readline').createInterface({ input: process.stdin }).on('line', () => {
       const s = net.connect({ host: '${VIP}', port: 5672 });
       let buf = '';
       const done = (r) => { clearTimeout(timer); s.destroy(); console.log(r); };
       const timer = setTimeout(() => done('fail'), 700);
       s.on('data', (d) => { buf += d; if (buf.includes('\\n')) done(buf.trim()); });
       s.on('error', () => done('fail'));
     });`,
  ]);
  const answers = createInterface({ input: client.stdout! });
  const pending: ((s: string) => void)[] = [];
  answers.on('line', (l) => pending.shift()?.(l));
  const probe = (): Promise<string> => new Promise((r) => (pending.push(r), client.stdin!.write('probe\n')));

  const start = (h: 'a' | 'b'): ChildProcess & { out: () => string } => {
    const other = h === 'a' ? 'b' : 'a';
    const path = writeTemp(`linux-${h}.yaml`, '');
    writeFileSync(
      path,
      stringify({
        'log-level': 'info',
        stats: 'off',
        'vip-mode': 'linux',
        'vip-address': VIP,
        'vip-prefix': 24,
        'vip-interface': 'eth0',
        'vip-bind': `${ADDR[h]}:5399`,
        'vip-peers': [`${ADDR[other]}:5399`],
        'vip-priority': h === 'a' ? 100 : 90,
        'vip-advert-interval': 200,
        'vip-id': h,
        'shutdown-grace': 500,
        'vip-track-weight': 0, // a slow check on a loaded machine must not move the VIP mid-test
        pools: [{ name: 'p', check: { type: 'tcp', inter: 500, timeout: 2000 }, backends: ['127.0.0.1:7000'] }],
        frontends: [{ name: 'f', listen: [':5672'] }],
      }),
    );
    const p = inNs(NS[h], [join(ROOT, 'dist', 'proxy', 'main.js'), '--config', path]) as ChildProcess & { out: () => string };
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.out = () => out;
    return p;
  };
  const hasVip = (h: 'a' | 'b'): boolean => ip('-n', NS[h], '-4', 'addr', 'show', 'dev', 'eth0').out.includes(`${VIP}/24`);
  const garp = findExecutable('arping') !== null;
  /**
   * Whether the client in C is served by `h`. Without arping the neighbour cache in C would point at the old
   * MAC for up to a minute after the VIP moves: flush it first, as a gratuitous ARP would have updated it.
   */
  const servedBy = async (h: 'a' | 'b'): Promise<boolean> => {
    if (!garp) ip('-n', NS.c, 'neigh', 'flush', 'dev', 'br0');
    return (await probe()) === h;
  };
  if (!garp) t.comment('arping not installed: the test flushes the client namespace\'s ARP cache where a gratuitous ARP would have updated it');

  t.test('the active adds the VIP to its interface and serves on it; the standby does not', async (t) => {
    const a = start('a');
    await waitFor('a to hold the VIP', () => hasVip('a'), 30_000, 50);
    const b = start('b');
    t.teardown(() => {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
    });
    await waitFor('b to run', () => /VIP standby/.test(b.out()), 30_000, 50);
    await sleep(1000);
    t.notOk(hasVip('b'), 'b does not add the VIP');
    await waitFor('a client in C served by a through the VIP', () => servedBy('a'), 10_000);
    t.pass('a client in C reaches the VIP on a');

    const stopped = Date.now();
    a.kill('SIGTERM');
    await waitFor('b to hold the VIP', () => hasVip('b'), 10_000, 20);
    t.comment(`VIP on b's interface ${Date.now() - stopped} ms after SIGTERM to a`);
    await waitFor('a to remove it', () => !hasVip('a'), 10_000, 20);
    await waitFor('served by b', () => servedBy('b'), 10_000);
    t.pass('the client reaches the VIP on b');
    t.match(b.out(), garp ? /VIP acquired/ : /arping not installed/);

    const c = start('a');
    t.teardown(() => c.kill('SIGKILL'));
    await waitFor('a (higher priority) to take the VIP back', () => hasVip('a') && !hasVip('b'), 30_000, 50);
    await waitFor('served by a', () => servedBy('a'), 10_000);
    t.pass('the client reaches the VIP on a again');

    const killed = Date.now();
    c.kill('SIGKILL');
    await waitFor('b to take over from the killed a', () => hasVip('b'), 10_000, 20);
    t.comment(`VIP on b ${Date.now() - killed} ms after kill -9 of a (a's interface still has it: nobody was left to remove it)`);
    t.ok(hasVip('a'), 'kill -9 leaves the address on the dead host, as with Keepalived; gratuitous ARP points clients at b');
    await waitFor('served by b', () => servedBy('b'), 10_000);
    t.pass('the client reaches the VIP on b after the kill');

    const d = start('a');
    t.teardown(() => d.kill('SIGKILL'));
    await waitFor('the restarted a to clean up', () => /removed a VIP left on the interface/.test(d.out()), 30_000, 50);
    t.pass('a restarted removes the VIP its killed predecessor left');
  });
}
