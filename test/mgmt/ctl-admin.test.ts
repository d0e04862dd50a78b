/**
 * warrenctl (the built binary, as a child process) against real nodes: add_user and set_permissions (the
 * user then connects with amqplib), tags and passwords, definitions exported from one node and imported
 * into others (a file, stdin/stdout), purge_queue and delete_queue, and rabbitmqctl's exit codes for what is not found.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { Api } from './fixtures/api.js';
import { ctlFor, publishTo, table } from './fixtures/ctl.js';

// each warrenctl run is a Node start: seconds apiece on a loaded 2-core machine
t.setTimeout(300_000);
const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const ctl = ctlFor(node.node.mgmt.port);
const tmp = mkdtempSync(join(tmpdir(), 'warrenctl-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('add_user and set_permissions, then the user connects', async (t) => {
  t.equal((await ctl(['add_vhost', 'ctl-app'])).code, 0);
  t.equal((await ctl(['add_user', 'ctl-user', 'ctl-pw'])).code, 0);
  const dup = await ctl(['add_user', 'ctl-user', 'other']);
  t.equal(dup.code, 70, 'an existing user: exit 70');
  t.equal(dup.stderr, 'Error:\nUser "ctl-user" already exists\n', "rabbitmqctl's message");
  t.equal((await ctl(['set_permissions', '-p', 'ctl-app', 'ctl-user', '^ctl-', '.*', '.*'])).code, 0);
  // guest made the vhost through the API, which gives its maker every permission there (as RabbitMQ's does);
  // listed in the API's order, by user
  t.match(table((await ctl(['-q', 'list_permissions', '-p', 'ctl-app'])).stdout), [['user', 'configure', 'write', 'read'], ['ctl-user', '^ctl-', '.*', '.*'], ['guest', '.*', '.*', '.*']]);
  const conn = await amqplib.connect(`amqp://ctl-user:ctl-pw@127.0.0.1:${node.port}/ctl-app`);
  const ch = await conn.createChannel();
  await ch.assertQueue('ctl-q');
  t.pass('connected and declared a queue its permissions allow');
  await conn.close();

  t.equal((await api.get('/api/whoami', { as: 'ctl-user:ctl-pw' })).status, 401, 'no tags: no API');
  t.equal((await ctl(['set_user_tags', 'ctl-user', 'management', 'policymaker'])).code, 0);
  t.same((await api.json('/api/whoami', { as: 'ctl-user:ctl-pw' })).tags.sort(), ['management', 'policymaker'], 'set_user_tags');
  t.equal((await ctl(['change_password', 'ctl-user', 'new-pw'])).code, 0);
  t.equal((await api.get('/api/whoami', { as: 'ctl-user:new-pw' })).status, 200, 'change_password keeps the tags');
  t.equal((await ctl(['--username', 'ctl-user', '--password', 'wrong', 'list_vhosts'])).code, 77, 'wrong credentials: exit 77');
  t.equal((await ctl(['set_user_tags', 'no-such-user', 'management'])).code, 67, 'tags of a missing user: exit 67');
  t.equal((await ctl(['delete_user', 'ctl-user'])).code, 0);
  await t.rejects(amqplib.connect(`amqp://ctl-user:new-pw@127.0.0.1:${node.port}/ctl-app`), 'a deleted user cannot connect');
  t.equal((await ctl(['delete_user', 'ctl-user'])).code, 67, 'deleting it again: exit 67');
  t.equal((await ctl(['delete_vhost', 'ctl-app'])).code, 0);
});

t.test('export_definitions and import_definitions between nodes', async (t) => {
  await api.ok('PUT', '/api/exchanges/%2F/ctl.x', { type: 'topic' });
  await api.ok('PUT', '/api/queues/%2F/ctl.exported', { durable: true, arguments: { 'x-max-length': 7 } });
  await api.ok('POST', '/api/bindings/%2F/e/ctl.x/q/ctl.exported', { routing_key: 'k.#' });
  const file = join(tmp, 'defs.json');
  t.equal((await ctl(['export_definitions', file])).code, 0);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  t.ok(doc.queues.some((q: { name: string }) => q.name === 'ctl.exported'), 'the file has the queue');
  const stdout = await ctl(['-q', 'export_definitions', '-']);
  t.same(Object.keys(JSON.parse(stdout.stdout)).sort(), Object.keys(doc).sort(), "'-' writes the same document to stdout");

  const other = await startTestNode();
  t.teardown(() => other.close());
  const port = other.node.mgmt.port;
  t.equal((await ctl(['import_definitions', file], { port })).code, 0, 'imported from a file');
  const queues = JSON.parse((await ctl(['-q', '--formatter', 'json', 'list_queues', 'name', 'arguments'], { port })).stdout);
  t.same(queues.find((q: { name: string }) => q.name === 'ctl.exported'), { name: 'ctl.exported', arguments: [['x-max-length', 'long', 7]] }, 'the queue is there');
  t.ok(table((await ctl(['-q', 'list_bindings'], { port })).stdout).some((r) => r[0] === 'ctl.x' && r[4] === 'k.#'), 'with its binding');

  const third = await startTestNode();
  t.teardown(() => third.close());
  t.equal((await ctl(['import_definitions', '-'], { port: third.node.mgmt.port, input: stdout.stdout })).code, 0, "imported from stdin ('-')");
  t.equal((await new Api(`http://127.0.0.1:${third.node.mgmt.port}`).get('/api/queues/%2F/ctl.exported')).status, 200);
  t.equal((await ctl(['import_definitions', join(tmp, 'missing.json')])).code, 65, 'a missing file: exit 65 (as rabbitmqctl)');
  t.equal((await ctl(['import_definitions', '-'], { input: '{"queues": [' })).code, 65, 'not JSON: exit 65');
});

t.test('purge_queue and delete_queue', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/ctl.purge', { durable: false });
  await publishTo(api, 'ctl.purge', 3);
  t.equal((await ctl(['purge_queue', 'ctl.purge'])).code, 0);
  t.equal((await api.json('/api/queues/%2F/ctl.purge')).messages, 0, 'purged');
  const missing = await ctl(['purge_queue', '-p', '/', 'no.such.q']);
  t.equal(missing.code, 69, 'a missing queue: exit 69');
  t.match(missing.stdout, /Purging queue 'no\.such\.q' in vhost '\/' \.\.\./, 'naming the queue');

  await publishTo(api, 'ctl.purge', 1);
  t.not((await ctl(['delete_queue', 'ctl.purge', '--if-empty'])).code, 0, '--if-empty refuses a queue with messages');
  const del = await ctl(['delete_queue', 'ctl.purge']);
  t.equal(del.code, 0);
  t.match(del.stdout, /deleted with 1 ready messages/);
  t.equal((await api.get('/api/queues/%2F/ctl.purge')).status, 404, 'deleted');
  t.equal((await ctl(['delete_queue', 'ctl.purge'])).code, 64, 'deleting it again: exit 64');
});
