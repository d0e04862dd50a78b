/**
 * warrenctl as a user runs it (`node dist/tools/ctl/main.js ...`, a child process) against a real node:
 * listings with columns and both formatters, status, policies and operator policies with --priority and
 * --apply-to, and the exit codes: 69 for an unreachable node (naming the address), 64 for bad usage.
 * ctl-admin.test.ts covers users, permissions, definitions, purge and delete.
 */
import amqplib from 'amqplib';
import t from 'tap';
import { freePort, startTestNode } from '../helpers/node.js';
import { Api } from './fixtures/api.js';
import { ctlFor, publishTo, table } from './fixtures/ctl.js';

// each warrenctl run is a Node start: seconds apiece on a loaded 2-core machine
t.setTimeout(300_000);
const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const ctl = ctlFor(node.node.mgmt.port);

t.test('list_queues with columns, vhosts, and both formatters', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/ctl.list', { durable: true });
  await publishTo(api, 'ctl.list', 2);
  const def = await ctl(['list_queues']);
  t.equal(def.code, 0);
  t.match(def.stdout, /^Timeout: 60\.0 seconds \.\.\.\nListing queues for vhost \/ \.\.\.\n/, "the informational lines go to stdout, as rabbitmqctl's do");
  t.same(table(def.stdout)[2], ['name', 'messages'], 'default columns: name messages');
  t.ok(table(def.stdout).some((r) => r[0] === 'ctl.list' && r[1] === '2'));

  const cols = await ctl(['-q', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers', 'durable', 'auto_delete', 'policy']);
  t.equal(cols.stderr, '', '-q: nothing on stderr');
  const rows = table(cols.stdout);
  t.same(rows[0], ['name', 'messages_ready', 'messages_unacknowledged', 'consumers', 'durable', 'auto_delete', 'policy']);
  t.same(
    rows.find((r) => r[0] === 'ctl.list'),
    ['ctl.list', '2', '0', '0', 'true', 'false', ''],
  );
  const bare = await ctl(['-q', '--no-table-headers', 'list_queues', 'name']);
  t.notOk(table(bare.stdout).some((r) => r[0] === 'name'), '--no-table-headers');

  const json = await ctl(['-q', '--formatter', 'json', 'list_queues', 'name', 'messages', 'arguments']);
  t.equal(json.code, 0);
  t.same(JSON.parse(json.stdout).find((q: { name: string }) => q.name === 'ctl.list'), { name: 'ctl.list', messages: 2, arguments: [] }, 'JSON that parses, with typed values');

  await api.ok('PUT', '/api/vhosts/ctl-v', {});
  await api.ok('PUT', '/api/queues/ctl-v/ctl.in-v', { durable: false });
  t.same(table((await ctl(['-q', '--no-table-headers', 'list_queues', '-p', 'ctl-v', 'name', 'durable'])).stdout), [['ctl.in-v', 'false']], '-p VHOST');
  const missing = await ctl(['list_queues', '-p', 'no-such-vhost']);
  t.equal(missing.code, 0, 'a missing vhost: nothing listed, exit 0 (as rabbitmqctl)');
  t.equal(table(missing.stdout).length, 2, 'only the informational lines');
  const badCol = await ctl(['list_queues', 'name', 'colour']);
  t.equal(badCol.code, 64, 'an unknown column is bad usage');
  t.match(badCol.stderr, /colour/);
});

t.test('other listings', async (t) => {
  const x = JSON.parse((await ctl(['-q', '--formatter', 'json', 'list_exchanges'])).stdout);
  t.ok(x.some((e: { name: string; type: string }) => e.name === 'amq.topic' && e.type === 'topic'), 'list_exchanges as JSON');
  t.match(table((await ctl(['-q', 'list_users'])).stdout), [['user', 'tags'], ['guest', '[administrator]']], 'list_users');
  t.ok(table((await ctl(['-q', 'list_vhosts'])).stdout).some((r) => r[0] === '/'), 'list_vhosts');
  await api.ok('POST', '/api/bindings/%2F/e/amq.direct/q/ctl.list', { routing_key: 'ctl-key' });
  const b = table((await ctl(['-q', 'list_bindings'])).stdout);
  t.same(b[0], ['source_name', 'source_kind', 'destination_name', 'destination_kind', 'routing_key', 'arguments']);
  t.ok(b.some((r) => r.join('|') === 'amq.direct|exchange|ctl.list|queue|ctl-key|[]'), 'list_bindings');

  const conn = await amqplib.connect(node.url, { clientProperties: { connection_name: 'ctl-listing' } });
  t.teardown(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  const { consumerTag } = await ch.consume('ctl.list', () => undefined, { noAck: true });
  const conns = table((await ctl(['-q', 'list_connections', 'user', 'peer_host', 'state', 'vhost'])).stdout);
  t.ok(conns.some((r) => r.join('|') === 'guest|127.0.0.1|running|/'), 'list_connections');
  const cons = JSON.parse((await ctl(['-q', '--formatter', 'json', 'list_consumers', 'queue_name', 'consumer_tag', 'ack_required'])).stdout);
  t.same(cons, [{ queue_name: 'ctl.list', consumer_tag: consumerTag, ack_required: false }], 'list_consumers');
  t.ok(table((await ctl(['-q', 'list_channels', 'user', 'consumer_count'])).stdout).some((r) => r.join('|') === 'guest|1'), 'list_channels');

  const status = await ctl(['-q', 'status']);
  t.match(status.stdout, /^Product: Warren /m);
  t.match(status.stdout, new RegExp(`^Listeners: \\[amqp 127\\.0\\.0\\.1:${node.port}\\]$`, 'm'));
  t.match(JSON.parse((await ctl(['--formatter', 'json', 'status'])).stdout), { overview: { object_totals: { connections: 1 } }, node: { running: true }, alarms: [] });
});

t.test('as a management user: status without the node, and a refusal for want of a tag', async (t) => {
  await api.ok('PUT', '/api/users/ctl-mgmt', { password: 'pw', tags: 'management' });
  const as = ['--username', 'ctl-mgmt', '--password', 'pw'];
  const status = await ctl([...as, '-q', 'status']);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /^Product: Warren /m, 'the overview');
  t.notMatch(status.stdout, /^Uptime/m, 'not the node, which needs the monitoring tag');
  const users = await ctl([...as, 'list_users']);
  t.equal(users.code, 77, 'exit 77');
  t.match(users.stderr, /Not administrator user \(401 not_authorised\)/, "RabbitMQ's reason");
});

t.test('set_policy, list_policies, clear_policy (and operator policies)', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/ctl.pol', { durable: true });
  const set = await ctl(['set_policy', 'ctl-cap', '^ctl\\.pol$', '{"max-length":1}', '--priority', '3', '--apply-to', 'queues']);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /Setting policy "ctl-cap" for pattern/);
  const listed = JSON.parse((await ctl(['-q', '--formatter', 'json', 'list_policies'])).stdout);
  t.same(listed, [{ vhost: '/', name: 'ctl-cap', pattern: '^ctl\\.pol$', 'apply-to': 'queues', definition: '{"max-length":1}', priority: 3 }], "the definition as a JSON string, as rabbitmqctl's");
  t.same(table((await ctl(['-q', 'list_policies'])).stdout)[1], ['/', 'ctl-cap', '^ctl\\.pol$', 'queues', '{"max-length":1}', '3'], 'as a table');
  t.equal((await api.json('/api/queues/%2F/ctl.pol')).policy, 'ctl-cap', 'it applies');

  const bad = await ctl(['set_policy', 'ctl-bad', '.', '{"max-lenght":1}']);
  t.equal(bad.code, 69, 'a definition the node rejects: exit 69 (as rabbitmqctl)');
  t.match(bad.stderr, /max-lenght/, "with the node's reason");
  t.equal((await ctl(['set_policy', 'ctl-bad', '.', '{max-length:1}'])).code, 69, 'a definition that is not JSON: 69');
  t.equal((await ctl(['set_policy', 'ctl-bad', '.', '{"max-length":1}', '--apply-to', 'bindings'])).code, 69, 'a bad --apply-to: 69');
  t.equal((await ctl(['set_policy', 'ctl-bad', '.', '{"max-length":1}', '--priority', 'high'])).code, 64, 'a bad --priority');

  t.equal((await ctl(['clear_policy', 'ctl-cap'])).code, 0);
  t.equal((await ctl(['-q', 'list_policies'])).stdout, '\n', 'none left: an empty line, as rabbitmqctl prints');
  const again = await ctl(['clear_policy', 'ctl-cap']);
  t.equal(again.code, 69, 'clearing a missing policy: exit 69');
  t.equal(again.stderr, 'Error:\nParameter does not exist\n', "rabbitmqctl's message");

  t.equal((await ctl(['set_operator_policy', 'ctl-op', '^ctl\\.', '{"max-length":10}', '--apply-to', 'queues'])).code, 0);
  t.match(JSON.parse((await ctl(['-q', '--formatter', 'json', 'list_operator_policies'])).stdout), [{ name: 'ctl-op', definition: '{"max-length":10}' }]);
  const ha = await ctl(['set_operator_policy', 'ctl-ha', '.', '{"ha-mode":"all"}']);
  t.equal(ha.code, 69, 'ha-mode in an operator policy is rejected');
  t.match(ha.stderr, /ha-mode/);
  t.equal((await ctl(['clear_operator_policy', 'ctl-op'])).code, 0);
  t.equal((await api.json('/api/queues/%2F/ctl.pol')).operator_policy, null, 'cleared');
});

t.test('exit codes and messages for an unreachable node and bad usage', async (t) => {
  const port = await freePort();
  const down = await ctl(['list_queues'], { port });
  t.equal(down.code, 69, 'unreachable: exit 69 (EX_UNAVAILABLE)');
  t.match(down.stderr, `127.0.0.1:${port}`, 'the message names the address');
  const viaEnv = await ctl(['list_queues'], { port: null, env: { WARREN_MGMT_URL: `http://guest:guest@127.0.0.1:${port}` } });
  t.equal(viaEnv.code, 69);
  t.match(viaEnv.stderr, `127.0.0.1:${port}`, 'WARREN_MGMT_URL sets the address');
  t.equal((await ctl(['-q', 'list_vhosts'], { port: null, env: { WARREN_MGMT_URL: `http://guest:guest@127.0.0.1:${node.node.mgmt.port}` } })).code, 0, 'and works');

  for (const [args, what] of [
    [[], 'no command'],
    [['frobnicate'], 'an unknown command'],
    [['list_queues', '--colour'], 'an unknown option'],
    [['purge_queue'], 'a missing argument'],
    [['add_user', 'a', 'b', 'c'], 'an extra argument'],
    [['list_users', '-p', '/'], 'an option the command does not take'],
    [['--formatter', 'xml', 'list_users'], 'an unknown formatter'],
  ] as [string[], string][]) {
    const r = await ctl(args);
    t.equal(r.code, 64, `${what}: exit 64`);
    t.match(r.stderr, /usage: warrenctl/, 'with the usage');
  }
  const help = await ctl(['set_policy', '--help']);
  t.equal(help.code, 0, '--help');
  t.match(help.stdout, /usage: warrenctl \[global options\] set_policy \[-p VHOST\] NAME PATTERN DEFINITION \[--priority N\] \[--apply-to queues\|exchanges\|all\]/);
  t.match((await ctl(['help', 'list_queues'])).stdout, /messages_unacknowledged/, 'help COMMAND lists the columns');
  const all = await ctl(['--help']);
  t.equal(all.code, 0);
  t.match(all.stdout, /list_operator_policies/, 'every command');
});
