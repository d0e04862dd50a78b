/**
 * The node-wide endpoints: global parameters and the cluster name (kept across a restart), /api/auth
 * (no login), feature flags, the listener, cluster and certificate health checks (a TLS listener's
 * certificate made by openssl for this run), and what /api/nodes says of the node. Who may call each and
 * what is refused are checked against what RabbitMQ 3.10.8 answered, and against a live RabbitMQ when one
 * is reachable.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startTestNode, tempDataDir } from '../helpers/node.js';
import { Api, enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const refused = (status: number, error: string, reason: string) => ({ status, body: { error, reason } });
const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const users = { pm: `${side.vhost}-pm`, m: `${side.vhost}-m` };
  for (const [user, tags] of [[users.pm, 'policymaker'], [users.m, 'management']] as const) {
    await api.ok('PUT', `/api/users/${enc(user)}`, { password: 'pw', tags });
    t.teardown(async () => void (await api.del(`/api/users/${enc(user)}`)));
  }
  const as = (user: string) => ({ as: `${user}:pw` });
  const reply = async (method: string, path: string, body?: unknown, who?: string) => {
    const r = await api.call(method, path, body, who === undefined ? {} : as(who));
    return { status: r.status, body: r.json };
  };
  const status = async (method: string, path: string, body?: unknown, who?: string) => (await reply(method, path, body, who)).status;
  const failure = async (path: string) => {
    const r = await reply('GET', path);
    return { status: r.status, ...pick(r.body, ['status', 'reason', 'missing']) };
  };
  const gp = `/api/global-parameters/${enc(`${side.vhost}-gp`)}`;
  t.teardown(async () => void (await api.del(gp)));
  return {
    'auth, without logging in': await api.get('/api/auth', { as: null }).then((r) => ({ status: r.status, body: r.json })),
    'a global parameter without a value': await reply('PUT', gp, {}),
    'a global parameter created': await status('PUT', gp, { value: { a: [1, 2] } }),
    'and replaced': await status('PUT', gp, { value: 's' }),
    'and read': await reply('GET', gp),
    'and listed': (await api.json('/api/global-parameters')).filter((p: { name: string }) => p.name === `${side.vhost}-gp`),
    'and deleted': await status('DELETE', gp),
    'and deleted again': await reply('DELETE', gp),
    'a global parameter set by a policymaker': [await status('PUT', gp, { value: 1 }, users.pm), await status('DELETE', gp, undefined, users.pm)],
    'global parameters listed by a management user': await reply('GET', '/api/global-parameters', undefined, users.m),
    'a cluster name without a name': await reply('PUT', '/api/cluster-name', {}),
    'the cluster name set by a policymaker': await reply('PUT', '/api/cluster-name', { name: 'x' }, users.pm),
    'the cluster name read by a management user': await status('GET', '/api/cluster-name', undefined, users.m),
    'feature flags for a management user': await reply('GET', '/api/feature-flags', undefined, users.m),
    'feature flags for an administrator': await status('GET', '/api/feature-flags'),
    'port-listener, not a port': await reply('GET', '/api/health/checks/port-listener/abc'),
    'port-listener, nothing there': await failure('/api/health/checks/port-listener/1'),
    'port-listener for a management user': await status('GET', '/api/health/checks/port-listener/abc', undefined, users.m),
    'protocol-listener, another name for AMQP 0-9-1': await reply('GET', '/api/health/checks/protocol-listener/AMQP0-9-1'),
    'protocol-listener, no TLS': await failure('/api/health/checks/protocol-listener/amqps'),
    'protocol-listener, a protocol not spoken': await failure('/api/health/checks/protocol-listener/mqtt'),
    'node-is-quorum-critical': await reply('GET', '/api/health/checks/node-is-quorum-critical'),
    'node-is-mirror-sync-critical': await reply('GET', '/api/health/checks/node-is-mirror-sync-critical'),
    'certificate-expiration, no TLS': await reply('GET', '/api/health/checks/certificate-expiration/1/days'),
    'certificate-expiration, a unit not known': await reply('GET', '/api/health/checks/certificate-expiration/1/hours'),
    'certificate-expiration, not a number': await reply('GET', '/api/health/checks/certificate-expiration/x/days'),
  };
}

const NOT_ADMIN = refused(401, 'not_authorised', 'Not administrator user');
const NO_LISTENER = { status: 503, reason: 'No active listener' };

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  'auth, without logging in': { status: 200, body: { enable_uaa: false, uaa_client_id: '', uaa_location: '' } },
  'a global parameter without a value': refused(400, 'bad_request', '[{key_missing,value}]'),
  'a global parameter created': 201,
  'and replaced': 204,
  'and read': { status: 200, body: { name: '{vhost}-gp', value: 's' } },
  'and listed': [{ name: '{vhost}-gp', value: 's' }],
  'and deleted': 204,
  'and deleted again': refused(404, 'Object Not Found', 'Not Found'),
  'a global parameter set by a policymaker': [201, 204],
  'global parameters listed by a management user': refused(401, 'not_authorised', 'User not authorised to access object'),
  'a cluster name without a name': refused(400, 'bad_request', '[{key_missing,name}]'),
  'the cluster name set by a policymaker': NOT_ADMIN,
  'the cluster name read by a management user': 200,
  'feature flags for a management user': NOT_ADMIN,
  'feature flags for an administrator': 200,
  'port-listener, not a port': refused(400, 'bad_request', 'Invalid port'),
  'port-listener, nothing there': { ...NO_LISTENER, status: 'failed', missing: 1 },
  'port-listener for a management user': 400,
  'protocol-listener, another name for AMQP 0-9-1': { status: 200, body: { status: 'ok', protocol: 'amqp' } },
  'protocol-listener, no TLS': { ...NO_LISTENER, status: 'failed', missing: 'amqp/ssl' },
  'protocol-listener, a protocol not spoken': { ...NO_LISTENER, status: 'failed', missing: 'mqtt' },
  'node-is-quorum-critical': { status: 200, body: { status: 'ok', reason: 'single node cluster' } },
  'node-is-mirror-sync-critical': { status: 200, body: { status: 'ok', reason: 'single node cluster' } },
  'certificate-expiration, no TLS': { status: 200, body: { status: 'ok' } },
  'certificate-expiration, a unit not known': refused(400, 'bad_request', 'Time unit not recognised. Supported units: days, weeks, months, years.'),
  'certificate-expiration, not a number': refused(400, 'bad_request', 'Invalid expiration value.'),
};

await recordedTest('node-wide endpoints: who may call them and what they refuse', 'ce', RECORDED, scenario);

t.test('the cluster name and global parameters are kept across a restart', async (t) => {
  const data = tempDataDir();
  t.teardown(data.remove);
  const first = await startTestNode({ dataDir: data.dir });
  const api = new Api(`http://127.0.0.1:${first.node.mgmt.port}`);
  t.same(await api.json('/api/cluster-name'), { name: (await api.json('/api/nodes'))[0].name }, "the node's name until one is set");
  t.equal((await api.put('/api/cluster-name', { name: 'warren-test-cluster' })).status, 204, 'set (204 the first time too)');
  t.equal((await api.json('/api/overview')).cluster_name, 'warren-test-cluster', 'the overview names it too');
  t.equal((await api.put('/api/global-parameters/kept', { value: { a: 1 } })).status, 201);
  await first.close();
  const second = await startTestNode({ dataDir: data.dir });
  t.teardown(() => second.close());
  const again = new Api(`http://127.0.0.1:${second.node.mgmt.port}`);
  t.same(await again.json('/api/cluster-name'), { name: 'warren-test-cluster' });
  t.same(await again.json('/api/global-parameters'), [
    { name: 'cluster_name', value: 'warren-test-cluster' },
    { name: 'kept', value: { a: 1 } },
  ]);
  t.equal((await again.del('/api/global-parameters/cluster_name')).status, 204, 'cleared like any parameter');
  t.equal((await again.json('/api/cluster-name')).name, (await again.json('/api/nodes'))[0].name, "the node's name again");
});

t.test("what /api/nodes says of this node's resources", async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  const [n] = await api.json('/api/nodes');
  t.same(await api.json(`/api/nodes/${enc(n.name)}`).then((x) => x.name), n.name, 'one node by name');
  t.equal((await api.get('/api/nodes/nobody@nowhere')).status, 404);
  t.ok(n.fd_used > 0 && n.fd_used <= n.fd_total, `file descriptors in use (${n.fd_used}) within the limit (${n.fd_total})`);
  t.equal(n.sockets_total, n.fd_total, 'sockets are bound by the file descriptor limit');
  t.match(n, { running: true, rates_mode: 'basic', partitions: [], mem_used_details: { rate: Number }, disk_free_details: { rate: Number }, fd_used_details: { rate: Number }, sockets_used: 0 });
  t.same(
    n.exchange_types.map((x: { name: string }) => x.name),
    (await api.json('/api/overview')).exchange_types.map((x: { name: string }) => x.name),
    'the exchange types the overview lists',
  );
  t.same(await api.json('/api/nodes?disable_stats=true'), [{ name: n.name, type: 'disc', running: true }], 'without statistics: name, type, running');
});

const OPENSSL = '/usr/bin/openssl';
t.test('certificate-expiration reads the TLS listener certificates', { skip: existsSync(OPENSSL) ? false : `${OPENSSL} missing (apt-get install openssl)` }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-cert-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'pipe' });
  const node = await startTestNode({ amqpsPort: 0, tlsCertFile: cert, tlsKeyFile: key, tlsCaFile: cert });
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  const tlsPort = node.node.amqps!.port;
  t.same((await api.get('/api/health/checks/certificate-expiration/1/days')).json, { status: 'ok' }, 'valid for longer than a day');
  const week = await api.get('/api/health/checks/certificate-expiration/1/weeks');
  t.equal(week.status, 503, 'not for a week');
  t.match(week.json, {
    status: 'failed',
    reason: 'Certificates expiring',
    expired: [{ protocol: 'amqp/ssl', port: tlsPort, certfile: cert, cacertfile: cert, certfile_expires_on: [/^\d{4}-\d\d-\d\d \d{1,2}:\d\d:\d\d$/], cacertfile_expires_on: [String] }],
  });
  t.same((await api.get('/api/health/checks/protocol-listener/amqps')).json, { status: 'ok', protocol: 'amqp/ssl' });
  t.same((await api.get(`/api/health/checks/port-listener/${tlsPort}`)).json, { status: 'ok', port: tlsPort });
});
