/**
 * The query parameters of lists: sort (dotted fields too) and sort_reverse; page, page_size, name and
 * use_regex on the lists RabbitMQ pages, ignored on the others; columns, nested too, on lists and single
 * objects; the errors for bad values; and disable_stats (with enable_queue_totals). Checked against what
 * RabbitMQ 3.10.8 answered, and against a live RabbitMQ when one is reachable.
 */
import amqplib from 'amqplib';
import type { Test } from 'tap';
import { enc, eventually, keysOf } from './fixtures/api.js';
import { inVhost, recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

/** Queues made out of order, some with a length limit to sort by. */
const QUEUES: [string, number | null][] = [
  ['zz', 5],
  ['Bb', 1],
  ['a10', null],
  ['a9', null],
  ['aa', 3],
];

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  for (const [name, max] of QUEUES) await api.ok('PUT', `/api/queues/${v}/${name}`, { durable: false, arguments: max === null ? {} : { 'x-max-length': max } });
  await api.ok('PUT', `/api/exchanges/${v}/x1`, { type: 'direct', durable: false });
  for (const key of ['k2', 'k1']) await api.ok('POST', `/api/bindings/${v}/e/x1/q/zz`, { routing_key: key });
  const conn = await amqplib.connect(inVhost(side.amqpUrl, side.vhost));
  conn.on('error', () => undefined);
  t.teardown(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  await ch.consume('aa', () => undefined);

  const reply = async (path: string) => {
    const r = await api.get(path);
    return { status: r.status, body: r.json };
  };
  const keys = async (path: string, pick: (x: any) => unknown = (x) => x) => keysOf(pick(await api.json(path)));
  const queues = (query: string) => api.json(`/api/queues/${v}?${query}`);
  // RabbitMQ lists consumers, and then their channels' details, once its statistics have caught up
  const consumers = await eventually('the consumer', async () => {
    const list = await api.json(`/api/consumers/${v}?columns=queue.name,channel_details.number`);
    return list.length === 1 && list[0].channel_details.number ? list : null;
  });
  const connection = (await api.json('/api/connections?disable_stats=true')).find((c: { vhost: string }) => c.vhost === side.vhost);
  return {
    default: await queues('columns=name'),
    'sorted by a nested field, missing ones as 0': await queues('sort=arguments.x-max-length&columns=name'),
    'sorted by name, reversed': await queues('sort=name&sort_reverse=true&columns=name'),
    'the default order reversed': await queues('sort_reverse=true&columns=name'),
    'first page': await queues('page=1&page_size=2&columns=name'),
    'last page': await queues('page=3&page_size=2&columns=name'),
    'just past the last page': await queues('page=6&page_size=1&columns=name'),
    'further past it': await reply(`/api/queues/${v}?page=4&page_size=2`),
    'name, in any case': await queues('page=1&name=A&columns=name'),
    'name as a regex': await queues(`page=1&name=${enc('^a\\d')}&use_regex=true&columns=name`),
    'a regex without use_regex': await queues('page=1&name=%5Ea&columns=name'),
    'a bad regex': await reply(`/api/queues/${v}?page=1&name=(&use_regex=true`),
    'page 0': await reply(`/api/queues/${v}?page=0`),
    'page_size over 500': await reply(`/api/queues/${v}?page=1&page_size=501`),
    'page not a number': await reply(`/api/queues/${v}?page=abc`),
    'page_size not a number, without page': await reply(`/api/queues/${v}?page_size=abc`),
    'page_size 0 without page': await queues('page_size=0&columns=name'),
    'exchanges paged': await api.json(`/api/exchanges/${v}?page=1&page_size=3&sort=name&columns=name,type`),
    'vhosts filtered by name': await api.json(`/api/vhosts?page=1&name=${enc(side.vhost)}&columns=name`).then((p) => ({ filtered_count: p.filtered_count, items: p.items })),
    'a list RabbitMQ does not page': await api.json(`/api/queues/${v}/zz/bindings?page=1&page_size=1&sort=routing_key&sort_reverse=true&columns=source,routing_key`),
    'columns of one object': await api.json(`/api/queues/${v}/zz?columns=name,durable,arguments`),
    'nested columns': consumers,
    'queues without stats': await keys(`/api/queues/${v}?disable_stats=true&sort=name`, (l) => l[0]),
    'queues without stats, with totals': await keys(`/api/queues/${v}?disable_stats=true&enable_queue_totals=true&sort=name`, (l) => l[0]),
    'a queue without stats': await keys(`/api/queues/${v}/Bb?disable_stats=true`),
    'exchanges without stats': await keys(`/api/exchanges/${v}?disable_stats=true`, (l) => l.find((x: { name: string }) => x.name === 'x1')),
    'a vhost without stats': await keys(`/api/vhosts/${v}?disable_stats=true`),
    'vhosts without stats': await keys('/api/vhosts?disable_stats=true', (l) => l.find((x: { name: string }) => x.name === side.vhost)),
    'connections without stats': keysOf(connection),
    'a connection without stats': await keys(`/api/connections/${enc(connection.name)}?disable_stats=true`),
    'channels without stats': await reply('/api/channels?disable_stats=true'),
    "a vhost's channels without stats": await reply(`/api/vhosts/${v}/channels?disable_stats=true`),
    'consumers without stats': await reply(`/api/consumers/${v}?disable_stats=true`),
  };
}

const named = (...names: string[]) => names.map((name) => ({ name }));
const DEFAULT = ['Bb', 'a10', 'a9', 'aa', 'zz'];
const page = (n: number, size: number, names: string[], filtered = 5) => ({
  filtered_count: filtered,
  item_count: names.length,
  items: named(...names),
  page: n,
  page_count: Math.ceil(filtered / size),
  page_size: size,
  total_count: 5,
});
const refused = (status: number, error: string, reason: string) => ({ status, body: { error, reason } });
const UNPARSABLE = refused(400, 'bad_request', 'Pagination parameters are invalid');
const NO_STATS = refused(400, 'bad_request', 'Stats in management UI are disabled on this node');
const QUEUE_BASIC = ['arguments', 'auto_delete', 'durable', 'exclusive', 'name', 'node', 'state', 'type', 'vhost'];
const VHOST_BASIC = ['cluster_state', 'default_queue_type', 'description', 'metadata', 'name', 'tags', 'tracing'];

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  default: named(...DEFAULT),
  'sorted by a nested field, missing ones as 0': named('a10', 'a9', 'Bb', 'aa', 'zz'),
  'sorted by name, reversed': named(...[...DEFAULT].reverse()),
  'the default order reversed': named(...[...DEFAULT].reverse()),
  'first page': page(1, 2, ['Bb', 'a10']),
  'last page': page(3, 2, ['zz']),
  'just past the last page': page(6, 1, []),
  'further past it': refused(400, 'page_out_of_range', 'Page out of range, page: 4 page size: 2, len: 5'),
  'name, in any case': page(1, 100, ['a10', 'a9', 'aa'], 3),
  'name as a regex': page(1, 100, ['a10', 'a9'], 2),
  'a regex without use_regex': page(1, 100, [], 0),
  'a bad regex': UNPARSABLE,
  'page 0': refused(400, 'invalid_pagination_parameters', 'Invalid pagination parameters: page number 0, page size undefined'),
  'page_size over 500': refused(400, 'invalid_pagination_parameters', 'Invalid pagination parameters: page number 1, page size 501'),
  'page not a number': UNPARSABLE,
  'page_size not a number, without page': UNPARSABLE,
  'page_size 0 without page': named(...DEFAULT),
  'exchanges paged': {
    filtered_count: 8,
    item_count: 3,
    items: [
      { name: '', type: 'direct' },
      { name: 'amq.direct', type: 'direct' },
      { name: 'amq.fanout', type: 'fanout' },
    ],
    page: 1,
    page_count: 3,
    page_size: 3,
    total_count: 8,
  },
  'vhosts filtered by name': { filtered_count: 1, items: named('{vhost}') },
  'a list RabbitMQ does not page': [
    { source: '', routing_key: 'zz' },
    { source: 'x1', routing_key: 'k2' },
    { source: 'x1', routing_key: 'k1' },
  ],
  'columns of one object': { name: 'zz', durable: false, arguments: { 'x-max-length': 5 } },
  'nested columns': [{ queue: { name: 'aa' }, channel_details: { number: 1 } }],
  'queues without stats': QUEUE_BASIC,
  'queues without stats, with totals': [...QUEUE_BASIC, 'messages', 'messages_ready', 'messages_unacknowledged'].sort(),
  'a queue without stats': QUEUE_BASIC,
  'exchanges without stats': ['arguments', 'auto_delete', 'durable', 'internal', 'name', 'type', 'user_who_performed_action', 'vhost'],
  'a vhost without stats': VHOST_BASIC,
  'vhosts without stats': VHOST_BASIC,
  'connections without stats': ['name', 'node', 'user', 'vhost'],
  'a connection without stats': ['name'],
  'channels without stats': NO_STATS,
  "a vhost's channels without stats": NO_STATS,
  'consumers without stats': NO_STATS,
};

await recordedTest('list query parameters', 'lq', RECORDED, scenario);
