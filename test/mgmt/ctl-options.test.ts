/**
 * The rabbitmqctl options warrenctl used to refuse, run as the built binary against a node: -s/--silent,
 * -q, -n/--node (its host picks the API; this machine is 127.0.0.1), -l, delete_queue -e/-u,
 * add_vhost --description/--tags/--default-queue-type, --format json, import_definitions from stdin
 * without a file; -p with a vhost name that needs encoding; and close_connection.
 */
import { hostname } from 'node:os';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, publish } from './fixtures/api.js';
import { ctlFor, runEach, table } from './fixtures/ctl.js';

t.setTimeout(300_000);
const node = await startTestNode();
t.teardown(() => node.close());
const mgmtPort = node.node.mgmt.port;
const api = new Api(`http://127.0.0.1:${mgmtPort}`);
const ctl = ctlFor(mgmtPort);

t.test('-s, -q, -l and -n', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/opt.q', { durable: true });
  const [plain, quiet, silent, longSilent, bare, node, remote, longnames] = await runEach(ctl, [
    ['list_queues', 'name'],
    ['-q', 'list_queues', 'name'],
    ['-s', 'list_queues', 'name'],
    ['list_queues', '--silent', 'name'],
    ['-n', 'rabbit', '-s', 'list_vhosts'],
    ['-n', `warren@${hostname()}`, '-s', 'list_vhosts'],
    ['--node', 'rabbit@127.0.0.2', 'list_vhosts'],
    ['-l', '-s', 'list_vhosts'],
  ]);
  t.equal(plain.stdout, 'Timeout: 60.0 seconds ...\nListing queues for vhost / ...\nname\nopt.q\n', 'the informational lines and the header');
  t.equal(quiet.stdout, 'name\nopt.q\n', '-q: the header without the informational lines');
  t.equal(silent.stdout, 'opt.q\n', '-s: rows only');
  t.equal(longSilent.stdout, 'opt.q\n', '--silent, after the command');
  t.equal(bare.stdout, '/\n', '-n NAME without a host: this machine');
  t.equal(node.stdout, '/\n', '-n NAME@<this host>: this machine');
  t.equal(remote.code, 69, '-n NAME@HOST: the API on HOST (nothing listening on 127.0.0.2 here)');
  t.match(remote.stderr, `127.0.0.2:${mgmtPort}`, 'the message names that address');
  t.equal(longnames.code, 0, '-l is accepted');
});

t.test('delete_queue -e and -u', async (t) => {
  const { ch } = await amqp(t, node.url, 'ctl-options');
  await ch.assertQueue('opt.full');
  await publish(ch, '', 'opt.full', ['m']);
  await ch.assertQueue('opt.used');
  await ch.consume('opt.used', () => undefined);
  await ch.assertQueue('opt.idle');
  const [full, used, idle] = await runEach(ctl, [['delete_queue', 'opt.full', '-e'], ['delete_queue', '-u', 'opt.used'], ['delete_queue', '-e', '-u', 'opt.idle']]);
  t.equal(full.code, 64, "a queue with messages: rabbitmqctl's 64");
  t.equal(full.stdout, "Deleting queue 'opt.full' on vhost '/' if queue is empty ...\n");
  t.equal(full.stderr, 'Error:\nQueue is not empty\n');
  t.equal(used.code, 64, 'a queue with a consumer: 64');
  t.equal(used.stderr, 'Error:\nQueue is in use\n');
  t.equal(idle.code, 0, idle.stderr);
  t.equal(idle.stdout, "Deleting queue 'opt.idle' on vhost '/' if queue is empty and if queue is unused ...\nQueue was successfully deleted with 0 ready messages\n");
  t.equal((await api.get('/api/queues/%2F/opt.full')).status, 200, 'the refused ones are still there');
});

t.test('-p with a vhost name that needs encoding: purge_queue, delete_queue', async (t) => {
  const vhost = 'odd/v h%';
  await api.ok('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
  await api.ok('PUT', `/api/queues/${encodeURIComponent(vhost)}/odd.q`, { durable: false });
  await api.ok('POST', `/api/exchanges/${encodeURIComponent(vhost)}/amq.default/publish`, { routing_key: 'odd.q', payload: 'x', payload_encoding: 'string', properties: {} });
  const purge = await ctl(['purge_queue', '-p', vhost, 'odd.q']);
  t.equal(purge.code, 0, purge.stderr);
  t.equal(purge.stdout, "Purging queue 'odd.q' in vhost 'odd/v h%' ...\n");
  t.equal((await api.json(`/api/queues/${encodeURIComponent(vhost)}/odd.q`)).messages, 0, 'purged');
  const del = await ctl(['-q', 'delete_queue', '-p', vhost, 'odd.q']);
  t.equal(del.stdout, 'Queue was successfully deleted with 0 ready messages\n', 'the result is printed with -q too');
  t.equal((await api.get(`/api/queues/${encodeURIComponent(vhost)}/odd.q`)).status, 404, 'deleted');
});

t.test('add_vhost --description --tags --default-queue-type', async (t) => {
  const add = await ctl(['add_vhost', 'opt-v', '--description', 'for tests', '--tags', 'a,b', '--default-queue-type', 'classic']);
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, 'Adding vhost "opt-v" ...\n');
  t.match(await api.json('/api/vhosts/opt-v'), { description: 'for tests', tags: ['a', 'b'] });
  t.equal((await ctl(['add_vhost', 'opt-v'])).code, 0, 'an existing vhost: 0, as rabbitmqctl');
});

t.test('export_definitions and import_definitions: --format json, stdin without a file', async (t) => {
  const out = await ctl(['export_definitions', '-', '--format', 'json']);
  t.equal(out.code, 0, out.stderr);
  t.notMatch(out.stdout, /\n$/, 'compact JSON without a final newline, as rabbitmqctl writes it');
  t.ok(JSON.parse(out.stdout).queues.some((q: { name: string }) => q.name === 'opt.q'));
  const erlang = await ctl(['export_definitions', '-', '--format', 'erlang']);
  t.equal(erlang.code, 65, 'the Erlang term format: 65');
  t.match(erlang.stderr, /^Error \(argument validation\): Bad argument: Format should be json/);

  const doc = JSON.stringify({ vhosts: [{ name: 'opt-imported' }] });
  const imported = await ctl(['import_definitions', '--format', 'json'], { input: doc });
  t.equal(imported.code, 0, imported.stderr);
  t.match(imported.stdout, /^Importing definitions in JSON from standard input \.\.\.\n/, 'no FILE: stdin, as rabbitmqctl');
  t.equal((await api.get('/api/vhosts/opt-imported')).status, 200, 'imported');
  const bad = await ctl(['import_definitions'], { input: 'not json' });
  t.equal(bad.code, 65);
  t.match(bad.stderr, /^Error:\nFailed to deserialise input \(format: JSON\)/);
});

t.test('close_connection: by the name list_connections shows as pid, with the reason', async (t) => {
  const { conn } = await amqp(t, node.url, 'ctl-close-me');
  const closed = new Promise<Error>((resolve) => conn.once('close', resolve));
  const pids = await ctl(['-s', 'list_connections', 'pid', 'client_properties']);
  const name = table(pids.stdout).find((r) => r[1]!.includes('"ctl-close-me"'))![0]!;
  t.match(name, /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/);
  const close = await ctl(['close_connection', name, 'time to go']);
  t.equal(close.code, 0, close.stderr);
  t.equal(close.stdout, `Closing connection ${name}, reason: time to go...\n`);
  t.match(String(await closed), /time to go/, 'the client is told the reason');
  const again = await ctl(['close_connection', name, 'again']);
  t.equal(again.code, 69, 'a connection that is gone: 69');
  t.equal(again.stderr, `Error:\nConnection ${name} not found\n`);
});
