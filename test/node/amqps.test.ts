/**
 * The AMQPS listener with certificates made by openssl for this run: amqplib over TLS (CA-verified
 * server certificate), RabbitMQ's peer verification modes with a CA-signed and a foreign client
 * certificate, what the management API shows, and the settings' errors.
 */
import amqplib from 'amqplib';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../shared/config.js';
import { ROOT, startTestNode, type TestNode } from '../helpers/node.js';
import type { TapTest } from '../helpers/raw-client.js';

const OPENSSL = '/usr/bin/openssl';
if (!existsSync(OPENSSL)) {
  t.comment(`skipped: ${OPENSSL} missing (apt-get install openssl; npm test installs it)`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'warren-tls-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => join(dir, name);
const openssl = (...args: string[]): void => void execFileSync(OPENSSL, args, { stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
/** A key and a certificate for `cn`, signed by the test CA (or self-signed with `ca` false). */
function issue(name: string, cn: string, o: { ca?: boolean; san?: string } = {}): void {
  if (o.ca === false) return openssl('req', '-x509', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '2', '-subj', `/CN=${cn}`);
  openssl('req', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
  writeFileSync(file(`${name}.ext`), o.san ? `subjectAltName=${o.san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.pem`), '-days', '2', '-extfile', file(`${name}.ext`));
}
issue('ca', 'warren-test-ca', { ca: false });
issue('server', 'localhost', { san: 'IP:127.0.0.1,DNS:localhost' });
issue('client', 'warren-client');
issue('rogue', 'rogue-client', { ca: false });

const serverTls = { amqpsPort: 0, tlsCertFile: file('server.pem'), tlsKeyFile: file('server.key'), tlsCaFile: file('ca.pem') };
const clientCert = (name: string) => ({ cert: readFileSync(file(`${name}.pem`)), key: readFileSync(file(`${name}.key`)) });

async function tlsNode(t: TapTest, extra: Parameters<typeof startTestNode>[0] = {}): Promise<TestNode & { amqpsPort: number }> {
  const n = await startTestNode({ ...serverTls, ...extra });
  t.teardown(() => n.close());
  return { ...n, amqpsPort: n.node.amqps!.port };
}

function amqps(port: number, o: { cert?: Buffer; key?: Buffer } = {}) {
  return amqplib.connect(`amqps://guest:guest@127.0.0.1:${port}`, { ca: [readFileSync(file('ca.pem'))], ...o } as Parameters<typeof amqplib.connect>[1]);
}

async function api<T>(n: TestNode, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${n.node.mgmt.port}${path}`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
  return (await res.json()) as T;
}

t.test('amqplib over TLS: the server certificate verifies against the CA; messages flow; the API shows TLS', async (t) => {
  const n = await tlsNode(t);
  const conn = await amqps(n.amqpsPort);
  t.teardown(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  const q = await ch.assertQueue('', { exclusive: true });
  ch.sendToQueue(q.queue, Buffer.from('over TLS'));
  const got = await new Promise<string>((resolve) => void ch.consume(q.queue, (m) => m && resolve(m.content.toString()), { noAck: true }));
  t.equal(got, 'over TLS');
  const [c] = await api<Record<string, unknown>[]>(n, '/api/connections');
  t.match(c, { ssl: true, ssl_protocol: /^tlsv1\.[23]$/, ssl_cipher: /^TLS_/, peer_cert_subject: null, port: n.amqpsPort });
  const overview = await api<{ listeners: { protocol: string; port: number }[] }>(n, '/api/overview');
  t.same(overview.listeners.map((l) => [l.protocol, l.port]), [['amqp', n.port], ['amqp/ssl', n.amqpsPort]]);
  const plain = await amqplib.connect(n.url);
  t.teardown(() => plain.close().catch(() => {}));
  t.match((await api<Record<string, unknown>[]>(n, '/api/connections')).find((x) => x['port'] === n.port), { ssl: false, ssl_protocol: null });
});

t.test('plain AMQP to the TLS port, and TLS to a server the client does not trust, fail', async (t) => {
  const n = await tlsNode(t);
  await t.rejects(amqplib.connect(`amqp://guest:guest@127.0.0.1:${n.amqpsPort}`, { timeout: 2000 }), 'no AMQP without the TLS handshake');
  await t.rejects(amqplib.connect(`amqps://guest:guest@127.0.0.1:${n.amqpsPort}`), /self[- ]signed|unable to verify|certificate/i, 'the client refuses a server certificate it cannot verify');
});

t.test('tls-verify peer: a CA-signed client certificate or none is let in; a foreign one is not', async (t) => {
  const n = await tlsNode(t, { tlsVerify: 'peer' });
  const none = await amqps(n.amqpsPort);
  t.teardown(() => none.close().catch(() => {}));
  const signed = await amqps(n.amqpsPort, clientCert('client'));
  t.teardown(() => signed.close().catch(() => {}));
  const subjects = (await api<{ peer_cert_subject: string | null }[]>(n, '/api/connections')).map((c) => c.peer_cert_subject).sort();
  t.same(subjects, ['CN=warren-client', null].sort(), 'the client certificate subject is listed');
  await t.rejects(amqps(n.amqpsPort, clientCert('rogue')), 'a certificate the CA did not sign is refused');
});

t.test('tls-fail-if-no-peer-cert: a client without a certificate is refused', async (t) => {
  const n = await tlsNode(t, { tlsVerify: 'peer', tlsFailIfNoPeerCert: true });
  await t.rejects(amqps(n.amqpsPort), 'no certificate, no connection');
  await t.rejects(amqps(n.amqpsPort, clientCert('rogue')), 'a foreign one neither');
  const ok = await amqps(n.amqpsPort, clientCert('client'));
  await ok.close();
  t.pass('a CA-signed certificate gets in');
});

t.test('settings errors name the setting and the value', async (t) => {
  const cases: [Parameters<typeof startTestNode>[0], RegExp][] = [
    [{ amqpsPort: 0 }, /invalid tls-cert-file: null \(required when amqps-port is set\)/],
    [{ ...serverTls, tlsKeyFile: file('nope.key') }, /invalid tls-key-file: ".*nope\.key" \(ENOENT/],
    [{ ...serverTls, tlsKeyFile: file('client.key') }, /invalid tls-key-file: ".*client\.key" \(unusable with tls-cert-file/],
    [{ ...serverTls, tlsFailIfNoPeerCert: true }, /invalid tls-fail-if-no-peer-cert: true \(needs tls-verify peer\)/],
  ];
  for (const [settings, message] of cases) await t.rejects(startTestNode(settings), message);
  await t.rejects(startTestNode({ amqpsPort: 0 }), ConfigError);
  const cli = spawnSync(process.execPath, [join(ROOT, 'dist', 'node', 'main.js'), '--amqps-port', '5671', '--data-dir', join(dir, 'data')], { encoding: 'utf8', timeout: 10_000 });
  t.equal(cli.status, 2);
  t.match(cli.stderr, /^warren: invalid tls-cert-file: null \(required when amqps-port is set\)$/m, 'the node stops at start with one line');
});
