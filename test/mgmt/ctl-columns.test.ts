/**
 * warrenctl (the built binary) takes every column rabbitmqctl 3.10.8 takes for each listing, and prints
 * them as rabbitmqctl does: AMQP tables as Erlang terms, versions as tuples, Erlang floats with their .0,
 * rabbitmqctl's JSON (one object a line, typed argument triples, the policy definition as a string), and
 * Erlang process ids as the names of the objects, with a note on stderr saying so.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, publish } from './fixtures/api.js';
import { ctlFor, runEach, table } from './fixtures/ctl.js';

t.setTimeout(300_000);
const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const ctl = ctlFor(node.node.mgmt.port);

/** `rabbitmqctl help list_*` in 3.10.8: "<column> must be one of ..." */
const RABBITMQ_COLUMNS: Record<string, string[]> = {
  list_queues: [
    'arguments', 'auto_delete', 'consumer_capacity', 'consumer_utilisation', 'consumers', 'disk_reads', 'disk_writes', 'durable', 'exclusive',
    'exclusive_consumer_pid', 'exclusive_consumer_tag', 'head_message_timestamp', 'leader', 'members', 'memory', 'message_bytes',
    'message_bytes_persistent', 'message_bytes_ram', 'message_bytes_ready', 'message_bytes_unacknowledged', 'messages', 'messages_persistent',
    'messages_ram', 'messages_ready', 'messages_ready_ram', 'messages_unacknowledged', 'messages_unacknowledged_ram', 'name', 'online', 'owner_pid',
    'pid', 'policy', 'slave_pids', 'state', 'synchronised_slave_pids', 'type',
  ],
  list_exchanges: ['arguments', 'auto_delete', 'durable', 'internal', 'name', 'policy', 'type'],
  list_bindings: ['arguments', 'destination_kind', 'destination_name', 'routing_key', 'source_kind', 'source_name'],
  list_connections: [
    'auth_mechanism', 'channel_max', 'channels', 'client_properties', 'connected_at', 'frame_max', 'host', 'name', 'peer_cert_issuer',
    'peer_cert_subject', 'peer_cert_validity', 'peer_host', 'peer_port', 'pid', 'port', 'protocol', 'recv_cnt', 'recv_oct', 'send_cnt', 'send_oct',
    'send_pend', 'ssl', 'ssl_cipher', 'ssl_hash', 'ssl_key_exchange', 'ssl_protocol', 'state', 'timeout', 'user', 'vhost',
  ],
  list_channels: [
    'acks_uncommitted', 'confirm', 'connection', 'consumer_count', 'global_prefetch_count', 'messages_unacknowledged', 'messages_uncommitted',
    'messages_unconfirmed', 'name', 'number', 'pid', 'prefetch_count', 'transactional', 'user', 'vhost',
  ],
  list_consumers: ['ack_required', 'active', 'activity_status', 'arguments', 'channel_pid', 'consumer_tag', 'prefetch_count', 'queue_name'],
  list_vhosts: ['cluster_state', 'default_queue_type', 'description', 'name', 'tags', 'tracing'],
};

/** The cells of the row whose `key` column is `value`, by column name (the header is the first line naming `key`). */
function rowOf(stdout: string, key: string, value: string): Record<string, string> {
  const lines = table(stdout);
  const [header, ...rows] = lines.slice(lines.findIndex((l) => l.includes(key)));
  const row = rows.find((r) => r[header!.indexOf(key)] === value);
  if (!row) throw new Error(`no row with ${key}=${value} in:\n${stdout}`);
  return Object.fromEntries(header!.map((h, i) => [h, row[i] ?? '']));
}

const { ch } = await amqp(t, node.url, 'ctl-columns');
await ch.assertExchange('cols.x', 'headers', { durable: true, arguments: { 'alternate-exchange': 'ae', 'x-table': { k: 'v' }, 'x-list': ['a', 2], 'x-empty': '' } });
await ch.assertQueue('cols.q', { durable: true, arguments: { 'x-overflow': 'reject-publish', 'x-max-length': 10 } });
await ch.bindQueue('cols.q', 'cols.x', '', { 'x-match': 'all', b: 2, a: 'one"two' });
await publish(ch, '', 'cols.q', ['m1', 'm2'], { timestamp: 1_700_000_000 });
await ch.assertQueue('cols.busy', { durable: false });
await ch.prefetch(5);
await ch.consume('cols.busy', () => undefined, { consumerTag: 'cols-tag', arguments: { 'x-priority': 3 } });

t.test('list_queues: every rabbitmqctl column', async (t) => {
  const cols = RABBITMQ_COLUMNS['list_queues']!;
  const r = await ctl(['list_queues', ...cols]);
  t.equal(r.code, 0, r.stderr);
  t.same(table(r.stdout)[2], cols, 'the header names the columns asked for');
  const q = rowOf(r.stdout, 'name', 'cols.q');
  t.equal(q['arguments'], '[{"x-max-length",10},{"x-overflow","reject-publish"}]', 'arguments as an Erlang term, sorted by name');
  t.equal(q['messages'], '2');
  t.equal(q['head_message_timestamp'], '1700000000', 'the head message timestamp');
  t.match(q['memory'], /^\d+$/);
  t.equal(q['messages_unacknowledged_ram'], '0');
  t.equal(q['consumer_capacity'], '0', 'no consumers: 0, an integer as in RabbitMQ');
  t.equal(rowOf(r.stdout, 'name', 'cols.busy')['consumer_utilisation'], '1.0', "an Erlang float: rabbitmqctl's 1.0");
  for (const c of ['pid', 'owner_pid', 'exclusive_consumer_pid', 'slave_pids', 'synchronised_slave_pids', 'leader', 'members', 'online']) {
    t.equal(q[c], '', `${c}: empty, as rabbitmqctl prints it for an unmirrored classic queue`);
  }
  t.match(r.stderr, /^Note: pid is empty: a Warren queue is not an Erlang process$/m, 'the pid column says why it is empty');
  t.match(r.stderr, /^Note: disk_reads is empty: the node's management API does not report it$/m, 'so does a column the API lacks');
  t.equal((await ctl(['-q', 'list_queues', 'name', 'pid'])).stderr, '', 'no notes with -q');

  const json = await ctl(['--formatter', 'json', 'list_queues', 'name', 'arguments', 'consumer_utilisation', 'pid']);
  t.match(json.stdout, /^\[\n\{.*\}\n(,\{.*\}\n)*\]\n$/, "rabbitmqctl's JSON: one object a line");
  t.notMatch(json.stdout, /Listing/, 'no informational lines with JSON');
  const rows = JSON.parse(json.stdout);
  t.same(rows.find((x: { name: string }) => x.name === 'cols.q'), { name: 'cols.q', arguments: [['x-max-length', 'long', 10], ['x-overflow', 'longstr', 'reject-publish']], consumer_utilisation: 0, pid: '' });
  t.match(json.stdout, /"name":"cols\.busy",.*"consumer_utilisation":1\.0,/, 'the float keeps its .0');
});

t.test('list_exchanges and list_bindings: every column, tables as Erlang terms', async (t) => {
  const [x, b, bj] = await runEach(ctl, [
    ['list_exchanges', ...RABBITMQ_COLUMNS['list_exchanges']!],
    ['list_bindings', ...RABBITMQ_COLUMNS['list_bindings']!],
    ['--formatter', 'json', 'list_bindings', 'source_name', 'arguments'],
  ]);
  t.equal(x.code, 0, x.stderr);
  t.equal(rowOf(x.stdout, 'name', 'cols.x')['arguments'], '[{"alternate-exchange","ae"},{"x-empty",[]},{"x-list",["a",2]},{"x-table",[{"k","v"}]}]', 'nested tables and arrays; "" is Erlang\'s []');
  t.equal(b.code, 0, b.stderr);
  t.equal(rowOf(b.stdout, 'source_name', 'cols.x')['arguments'], '[{"a","one\\"two"},{"b",2},{"x-match","all"}]', 'quotes escaped');
  t.same(
    JSON.parse(bj.stdout).find((r: { source_name: string }) => r.source_name === 'cols.x'),
    { source_name: 'cols.x', arguments: [['a', 'longstr', 'one"two'], ['b', 'long', 2], ['x-match', 'longstr', 'all']] },
    '[name, type, value] triples in JSON',
  );
});

t.test('list_connections, list_channels, list_consumers: every column; pids are names', async (t) => {
  const [c, chans, defaults, cons, cj] = await runEach(ctl, [
    ['list_connections', ...RABBITMQ_COLUMNS['list_connections']!],
    ['list_channels', ...RABBITMQ_COLUMNS['list_channels']!],
    ['list_channels'],
    ['list_consumers', ...RABBITMQ_COLUMNS['list_consumers']!],
    ['--formatter', 'json', 'list_connections', 'protocol', 'peer_host', 'client_properties'],
  ]);
  t.equal(c.code, 0, c.stderr);
  const connection = rowOf(c.stdout, 'user', 'guest');
  t.match(connection, { auth_mechanism: 'PLAIN', protocol: '{0,9,1}', ssl: 'false', ssl_protocol: '', peer_cert_subject: '', send_pend: '0', vhost: '/' });
  t.match(connection['recv_cnt'], /^\d+$/);
  t.equal(connection['pid'], connection['name'], "a connection's pid is its name");
  t.match(connection['client_properties'], /^\[\{"connection_name","ctl-columns"\},.*\{"capabilities",\[\{"publisher_confirms",true\},/, 'the client_properties table in the order the client sent it');
  t.match(c.stderr, /^Note: pid shows the connection's name/m);
  t.match(JSON.parse(cj.stdout)[0], { protocol: [0, 9, 1], peer_host: [127, 0, 0, 1], client_properties: [['connection_name', 'longstr', 'ctl-columns']] }, "JSON: Erlang's tuples");

  t.equal(chans.code, 0, chans.stderr);
  const channel = rowOf(chans.stdout, 'consumer_count', '1');
  t.match(channel, { confirm: 'true', prefetch_count: '5', connection: connection['name'], pid: channel['name'] });
  t.same(table(defaults.stdout)[1], ['pid', 'user', 'consumer_count', 'messages_unacknowledged'], "rabbitmqctl's default columns, pid first");
  t.equal(cons.code, 0, cons.stderr);
  t.match(rowOf(cons.stdout, 'queue_name', 'cols.busy'), { channel_pid: channel['pid'], consumer_tag: 'cols-tag', prefetch_count: '5', arguments: '[{"x-priority",3}]', activity_status: 'up' });
});

t.test('list_vhosts, list_users, list_policies', async (t) => {
  await api.ok('PUT', '/api/vhosts/cols-v', { description: 'a test', tags: 'blue,green' });
  await api.ok('PUT', '/api/policies/cols-v/cols-p', { pattern: '^cols', definition: { 'max-length': 3 }, 'apply-to': 'queues' });
  const [v, u, p, pj] = await runEach(ctl, [
    ['list_vhosts', ...RABBITMQ_COLUMNS['list_vhosts']!],
    ['-q', 'list_users'],
    ['list_policies', '-p', 'cols-v'],
    ['--formatter', 'json', 'list_policies', '-p', 'cols-v'],
  ]);
  t.equal(v.code, 0, v.stderr);
  t.match(rowOf(v.stdout, 'name', 'cols-v'), { description: 'a test', tags: '[blue, green]', tracing: 'false' });
  t.same(table(u.stdout), [['user', 'tags'], ['guest', '[administrator]']]);
  t.equal(p.stdout, 'Listing policies for vhost "cols-v" ...\nvhost\tname\tpattern\tapply-to\tdefinition\tpriority\ncols-v\tcols-p\t^cols\tqueues\t{"max-length":3}\t0\n');
  t.equal(pj.stdout, '[\n{"vhost":"cols-v","name":"cols-p","pattern":"^cols","apply-to":"queues","definition":"{\\"max-length\\":3}","priority":0}\n]\n', "rabbitmqctl's JSON, the definition a string");
});
