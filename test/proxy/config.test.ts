/**
 * Configuration: defaults < file < env < flags, the frontends/pools sections and the --listen/--backends
 * shorthand, and one-line errors naming the key and the bad value, both from resolveProxyConfig and from
 * the real `warren-proxy` command (exit code 2).
 */
import t from 'tap';
import { resolveProxyConfig } from '../../proxy/config.js';
import { runProxyCli, writeTemp } from './helpers.js';

const resolve = (file: Record<string, unknown>, flags: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) => resolveProxyConfig({ file, env, flags });
const minimal = { pools: [{ name: 'p', backends: ['127.0.0.1:5673'] }], frontends: [{ name: 'f', listen: [':5672'] }] };

t.test('HAProxy defaults: inter 2000, rise 2, fall 3, no idle timeout, roundrobin, tcp check', async (t) => {
  const c = resolve(minimal);
  const p = c.pools[0]!;
  t.same({ inter: p.check.inter, rise: p.check.rise, fall: p.check.fall, timeout: p.check.timeout, type: p.check.type }, { inter: 2000, rise: 2, fall: 3, timeout: 2000, type: 'tcp' });
  t.equal(p.balance, 'roundrobin');
  t.equal(c.frontends[0]!.idleTimeout, 0, 'an idle AMQP connection is never cut by default');
  t.equal(c.frontends[0]!.pool, 'p', 'the only pool is the default');
  t.same(c.frontends[0]!.listen, [{ host: '::', port: 5672 }]);
  t.equal(c.vip.mode, 'none');
  t.same(c.stats, { host: '127.0.0.1', port: 8404 });
});

t.test('a full file: durations, backends as mappings and strings, VIP host defaulting', async (t) => {
  const c = resolve({
    'vip-mode': 'bind',
    'vip-address': '127.0.0.50',
    'vip-peers': ['127.0.0.1:5400'],
    'vip-advert-interval': '200ms',
    pools: [
      {
        name: 'warren',
        balance: 'leastconn',
        'send-proxy': 'v2',
        'on-marked-down': 'shutdown-sessions',
        'slow-start': '10s',
        check: { type: 'amqp', inter: '1s', rise: 1, fall: 2 },
        backends: [{ name: 'n1', address: '127.0.0.1:5673', weight: 3, maxconn: 10 }, 'n2=127.0.0.1:5674', '[::1]:5675'],
      },
    ],
    frontends: [{ name: 'amqp', listen: [':5672', '127.0.0.1:5671'], maxconn: 100, 'timeout-idle': '5m' }],
  });
  const p = c.pools[0]!;
  t.equal(p.check.inter, 1000);
  t.equal(p.slowStart, 10_000);
  t.same(
    p.backends.map((b) => [b.name, b.host, b.port, b.weight, b.maxconn]),
    [
      ['n1', '127.0.0.1', 5673, 3, 10],
      ['n2', '127.0.0.1', 5674, 1, 0],
      ['[::1]:5675', '::1', 5675, 1, 0],
    ],
  );
  t.same(c.frontends[0]!.listen, [{ host: '127.0.0.50', port: 5672 }, { host: '127.0.0.1', port: 5671 }], 'a listen address without host binds the VIP');
  t.equal(c.frontends[0]!.idleTimeout, 300_000);
  t.equal(c.frontends[0]!.vip, true);
  t.equal(c.vip.advertInterval, 200);
  t.equal(c.vip.leaseTtl, 600, 'lease ttl defaults to dead-after x interval');
});

t.test('precedence: defaults < file < env < flags', async (t) => {
  const file = { ...minimal, 'vip-priority': 10 };
  t.equal(resolve(file).vip.priority, 10);
  t.equal(resolve(file, {}, { WARREN_PROXY_VIP_PRIORITY: '20' }).vip.priority, 20);
  t.equal(resolve(file, { 'vip-priority': '30' }, { WARREN_PROXY_VIP_PRIORITY: '20' }).vip.priority, 30);
  t.equal(resolve(file, { 'check-inter': '500' }).pools[0]!.check.inter, 500, 'top-level check settings are defaults for pools');
});

t.test('shorthand: --listen and --backends make one frontend and pool', async (t) => {
  const c = resolve({}, { listen: '127.0.0.1:6000', backends: 'a=127.0.0.1:1,127.0.0.1:2', balance: 'source', check: 'amqp' });
  t.equal(c.frontends.length, 1);
  t.same(c.frontends[0]!.listen, [{ host: '127.0.0.1', port: 6000 }]);
  t.same(c.pools[0]!.backends.map((b) => b.name), ['a', '127.0.0.1:2']);
  t.equal(c.pools[0]!.balance, 'source');
  t.equal(c.pools[0]!.check.type, 'amqp');
});

const errors: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
  ['bad duration', { ...minimal, pools: [{ name: 'p', backends: ['127.0.0.1:1'], check: { inter: 'soon' } }] }, {}, /^invalid config key 'pools\[0\]\.check\.inter': "soon" \(expected a duration/],
  ['unknown nested key', { ...minimal, pools: [{ name: 'p', backends: ['127.0.0.1:1'], balanse: 'x' }] }, {}, /^invalid config key 'pools\[0\]\.balanse': "x" \(unknown setting/],
  ['unknown top-level key', { ...minimal, listne: 1 }, {}, /^invalid config key 'listne'/],
  ['bad balance', { ...minimal, pools: [{ name: 'p', backends: ['127.0.0.1:1'], balance: 'random' }] }, {}, /'pools\[0\]\.balance': "random" \(expected one of roundrobin, leastconn, source\)/],
  ['bad backend address', { ...minimal, pools: [{ name: 'p', backends: [{ address: 'nowhere' }] }] }, {}, /'pools\[0\]\.backends\[0\]\.address': "nowhere" \(expected host:port/],
  ['missing pool', { pools: minimal.pools, frontends: [{ listen: [':1'], pool: 'q' }] }, {}, /'frontends\[0\]\.pool': "q" \(no such pool; pools: p\)/],
  ['duplicate backend name', { ...minimal, pools: [{ name: 'p', backends: ['a=127.0.0.1:1', 'a=127.0.0.1:2'] }] }, {}, /'pools\[0\]\.backends\[1\]\.name': "a" \(duplicate name\)/],
  ['bad flag', minimal, { 'vip-priority': '300' }, /^invalid --vip-priority: "300" \(expected an integer 1-254\)/],
  ['bind mode without address', { ...minimal, 'vip-mode': 'bind', 'vip-peers': ['127.0.0.1:9'] }, {}, /^invalid vip-address: "" \(needed in bind mode\)/],
  ['linux mode bad interface', { ...minimal, 'vip-mode': 'linux', 'vip-address': '10.0.0.1', 'vip-interface': 'eth0; rm', 'vip-peers': ['127.0.0.1:9'] }, {}, /^invalid vip-interface/],
  ['no frontends', {}, {}, /^invalid frontends: \[\] \(at least one frontend is needed/],
  ['bad expect-status', { ...minimal, pools: [{ name: 'p', backends: ['127.0.0.1:1'], check: { type: 'http', 'expect-status': 700 } }] }, {}, /'pools\[0\]\.check\.expect-status': 700 \(expected an integer 100-599\)/],
];
for (const [name, file, flags, re] of errors) {
  t.test(`error: ${name}`, async (t) => {
    t.throws(() => resolve(file, flags), re);
    try {
      resolve(file, flags);
    } catch (e) {
      t.notMatch((e as Error).message, /\n/, 'one line');
    }
  });
}

t.test('the command: a bad file value exits 2 with one line naming key and value', async (t) => {
  const path = writeTemp('bad.yaml', 'frontends:\n  - listen: [":5672"]\npools:\n  - name: p\n    backends: ["127.0.0.1:5673"]\n    check: { rise: zero }\n');
  const r = runProxyCli(['--config', path]);
  t.equal(r.status, 2);
  t.equal(r.stderr.trim(), `warren-proxy: invalid config key 'pools[0].check.rise': "zero" (expected an integer 1-100)`);
  const ok = writeTemp('ok.json', JSON.stringify(minimal));
  const c = runProxyCli(['--config', ok, '--check-config']);
  t.equal(c.status, 0, c.stderr);
  t.match(c.stdout, /configuration is valid/);
  const flag = runProxyCli(['--config', ok, '--vip-mode', 'floating']);
  t.equal(flag.status, 2);
  t.match(flag.stderr, /^warren-proxy: invalid --vip-mode: "floating" \(expected one of none, bind, linux, kubernetes\)\n$/);
  const unknown = runProxyCli(['--config', ok, '--vip-mod', 'bind']);
  t.equal(unknown.status, 2);
  t.equal(unknown.stderr, 'warren-proxy: invalid --vip-mod: "bind" (unknown option); see warren-proxy --help\n', 'an unknown flag: one line naming it and its value');
  const help = runProxyCli(['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /--vip-priority/);
});
