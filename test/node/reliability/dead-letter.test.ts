/**
 * Dead-lettering over real TCP: the reasons (rejected by nack and by reject, expired by queue TTL and by
 * per-message expiration, maxlen by drop-head), x-dead-letter-routing-key, the x-death bookkeeping through
 * a retry loop (count per queue and reason, exchange, routing-keys, time, original-expiration), the
 * x-first-death-* headers, DLX by policy (the argument wins), the drop of a pure-expiry cycle, and a
 * missing dead-letter exchange (message dropped silently).
 */
import t from 'tap';
import type { Channel, Message } from 'amqplib';
import {
  channel,
  Collector,
  connect,
  death,
  deaths,
  depth,
  drain,
  getOne,
  nodeFor,
  failureOf,
  policy,
  replyText,
  sleep,
  timestampSeconds,
  until,
  type Scope,
} from './helpers.js';

const node = await nodeFor(t);
const Q = { durable: false } as const;

/**
 * A fanout dead-letter exchange `<name>-dlx` feeding queue `<name>-dead`, and a source queue `<name>` with
 * the given arguments (x-dead-letter-exchange set unless `dlx: false`). Returns the channel.
 */
async function dlxPair(t: Scope, name: string, args: Record<string, unknown> = {}, opts: { dlx?: boolean } = {}): Promise<Channel> {
  const ch = await channel(await connect(t, node.url));
  await ch.assertExchange(`${name}-dlx`, 'fanout', Q);
  await ch.assertQueue(`${name}-dead`, Q);
  await ch.bindQueue(`${name}-dead`, `${name}-dlx`, '');
  await ch.assertQueue(name, { ...Q, arguments: { ...(opts.dlx === false ? {} : { 'x-dead-letter-exchange': `${name}-dlx` }), ...args } });
  return ch;
}

/** Publishes `body` to queue `name` through amq.direct (bound with key `rk`), so x-death records an exchange. */
async function publishVia(ch: Channel, name: string, rk: string, body: string, options: Parameters<Channel['publish']>[3] = {}) {
  await ch.bindQueue(name, 'amq.direct', rk);
  ch.publish('amq.direct', rk, Buffer.from(body), options);
}

/** The next message dead-lettered from queue `name` (see dlxPair). */
const deadOne = (ch: Channel, name: string): Promise<Message> => getOne(ch, `${name}-dead`);

const firstDeath = (m: Message) => {
  const h = m.properties.headers ?? {};
  return { reason: h['x-first-death-reason'], queue: h['x-first-death-queue'], exchange: h['x-first-death-exchange'] };
};

for (const how of ['nack', 'reject'] as const) {
  t.test(`rejected: ${how} with requeue=false dead-letters with reason rejected`, async (t) => {
    const name = `dl-${how}`;
    const ch = await dlxPair(t, name);
    await publishVia(ch, name, `${name}-rk`, 'bad');
    const m = await getOne(ch, name);
    if (how === 'nack') ch.nack(m, false, false);
    else ch.reject(m, false);
    const d = await deadOne(ch, name);
    t.equal(d.content.toString(), 'bad');
    t.same(death(deaths(d)[0]), { count: 1, reason: 'rejected', queue: name, exchange: 'amq.direct', 'routing-keys': [`${name}-rk`] });
    t.same(firstDeath(d), { reason: 'rejected', queue: name, exchange: 'amq.direct' });
    t.equal(d.fields.exchange, `${name}-dlx`, 'delivered from the dead-letter exchange');
    t.equal(d.fields.routingKey, `${name}-rk`, 'with the original routing key');
    const at = timestampSeconds(deaths(d)[0]?.['time']);
    t.ok(at !== undefined && Math.abs(at - Date.now() / 1000) < 10, `time is a timestamp of now (${at})`);
  });
}

t.test('rejected with requeue=true is not dead-lettered', async (t) => {
  const ch = await dlxPair(t, 'dl-requeue');
  ch.sendToQueue('dl-requeue', Buffer.from('again'));
  ch.nack(await getOne(ch, 'dl-requeue'), false, true);
  t.equal((await getOne(ch, 'dl-requeue')).content.toString(), 'again');
  t.equal(await depth(ch, 'dl-requeue-dead'), 0);
});

t.test('expired by queue TTL: reason expired', async (t) => {
  const ch = await dlxPair(t, 'dl-qttl', { 'x-message-ttl': 50 });
  await publishVia(ch, 'dl-qttl', 'dl-qttl-rk', 'stale');
  const d = await deadOne(ch, 'dl-qttl');
  t.same(death(deaths(d)[0]), { count: 1, reason: 'expired', queue: 'dl-qttl', exchange: 'amq.direct', 'routing-keys': ['dl-qttl-rk'] });
  t.same(firstDeath(d), { reason: 'expired', queue: 'dl-qttl', exchange: 'amq.direct' });
  t.equal(await depth(ch, 'dl-qttl'), 0);
});

t.test('expired by per-message expiration: original-expiration recorded, expiration property removed', async (t) => {
  const ch = await dlxPair(t, 'dl-mttl');
  await publishVia(ch, 'dl-mttl', 'dl-mttl-rk', 'stale', { expiration: '60', messageId: 'm-1' });
  const d = await deadOne(ch, 'dl-mttl');
  t.same(death(deaths(d)[0]), {
    count: 1,
    reason: 'expired',
    queue: 'dl-mttl',
    exchange: 'amq.direct',
    'routing-keys': ['dl-mttl-rk'],
    'original-expiration': '60',
  });
  t.equal(d.properties.expiration, undefined, 'the copy does not expire again');
  t.equal(d.properties.messageId, 'm-1', 'other properties kept');
});

t.test('maxlen: drop-head dead-letters the oldest with reason maxlen', async (t) => {
  const ch = await dlxPair(t, 'dl-maxlen', { 'x-max-length': 2 });
  for (const b of ['1', '2', '3', '4']) ch.sendToQueue('dl-maxlen', Buffer.from(b));
  t.ok(await until(async () => (await depth(ch, 'dl-maxlen-dead')) === 2), 'two dropped');
  t.same(await drain(ch, 'dl-maxlen'), ['3', '4'], 'the newest kept');
  const dead = [await getOne(ch, 'dl-maxlen-dead'), await getOne(ch, 'dl-maxlen-dead')];
  t.same(dead.map((m) => m.content.toString()), ['1', '2'], 'dead-lettered oldest first');
  t.same(dead.map((m) => deaths(m)[0]?.['reason']), ['maxlen', 'maxlen']);
  t.same(death(deaths(dead[0]!)[0]), { count: 1, reason: 'maxlen', queue: 'dl-maxlen', exchange: '', 'routing-keys': ['dl-maxlen'] });
});

t.test('x-dead-letter-routing-key replaces the routing key; x-death keeps the original', async (t) => {
  const ch = await channel(await connect(t, node.url));
  await ch.assertQueue('dl-rk-target', Q);
  await ch.bindQueue('dl-rk-target', 'amq.direct', 'to-target');
  await ch.assertQueue('dl-rk', { ...Q, arguments: { 'x-dead-letter-exchange': 'amq.direct', 'x-dead-letter-routing-key': 'to-target' } });
  ch.sendToQueue('dl-rk', Buffer.from('x'));
  ch.reject(await getOne(ch, 'dl-rk'), false);
  const d = await getOne(ch, 'dl-rk-target');
  t.equal(d.fields.routingKey, 'to-target');
  t.same(deaths(d)[0]?.['routing-keys'], ['dl-rk']);
});

t.test('retry loop: reject -> DLX -> TTL queue -> back; x-death counts per queue and reason', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertExchange('dl-work-x', 'direct', Q);
  await ch.assertExchange('dl-retry-x', 'fanout', Q);
  await ch.assertQueue('dl-work', { ...Q, arguments: { 'x-dead-letter-exchange': 'dl-retry-x' } });
  await ch.assertQueue('dl-wait', { ...Q, arguments: { 'x-message-ttl': 50, 'x-dead-letter-exchange': 'dl-work-x' } });
  await ch.bindQueue('dl-work', 'dl-work-x', 'task');
  await ch.bindQueue('dl-wait', 'dl-retry-x', '');
  const sub = await channel(conn);
  const seen: Message[] = [];
  await sub.consume('dl-work', (m) => {
    if (!m) return;
    seen.push(m);
    if (seen.length < 4) sub.reject(m, false);
    else sub.ack(m);
  });
  ch.publish('dl-work-x', 'task', Buffer.from('job'));
  t.ok(await until(() => seen.length >= 4, 3000), `delivered 4 times (${seen.length})`);
  const summary = (m: Message) => deaths(m).map((d) => `${d['queue']}:${d['reason']}:${d['count']}`);
  t.same(seen.map(summary), [
    [],
    ['dl-wait:expired:1', 'dl-work:rejected:1'],
    ['dl-wait:expired:2', 'dl-work:rejected:2'],
    ['dl-wait:expired:3', 'dl-work:rejected:3'],
  ]);
  const last = deaths(seen[3]!);
  t.same(death(last[0]), { count: 3, reason: 'expired', queue: 'dl-wait', exchange: 'dl-retry-x', 'routing-keys': ['task'] });
  t.same(death(last[1]), { count: 3, reason: 'rejected', queue: 'dl-work', exchange: 'dl-work-x', 'routing-keys': ['task'] });
  t.same(firstDeath(seen[3]!), { reason: 'rejected', queue: 'dl-work', exchange: 'dl-work-x' }, 'first death never changes');
  t.equal(seen[3]!.fields.redelivered, false, 'a dead-lettered copy is a new message');
});

t.test('DLX by policy; the x-dead-letter-exchange argument wins over the policy', async (t) => {
  const ch = await channel(await connect(t, node.url));
  for (const [x, q] of [['dlp-policy-x', 'dlp-policy-dead'], ['dlp-arg-x', 'dlp-arg-dead']] as const) {
    await ch.assertExchange(x, 'fanout', Q);
    await ch.assertQueue(q, Q);
    await ch.bindQueue(q, x, '');
  }
  await ch.assertQueue('dlp-src-plain', Q);
  await ch.assertQueue('dlp-src-arg', { ...Q, arguments: { 'x-dead-letter-exchange': 'dlp-arg-x' } });
  policy(t, node, 'policy', 'dlp', '^dlp-src-', { 'dead-letter-exchange': 'dlp-policy-x' });
  for (const q of ['dlp-src-plain', 'dlp-src-arg']) {
    ch.sendToQueue(q, Buffer.from(q));
    ch.reject(await getOne(ch, q), false);
  }
  t.equal((await getOne(ch, 'dlp-policy-dead')).content.toString(), 'dlp-src-plain', 'the policy DLX applies');
  t.equal((await getOne(ch, 'dlp-arg-dead')).content.toString(), 'dlp-src-arg', 'the argument wins');
  t.same(await drain(ch, 'dlp-policy-dead'), [], 'nothing else went to the policy DLX');
});

t.test('a pure-expiry cycle (a queue dead-lettering to itself) drops the message instead of looping', async (t) => {
  const ch = await channel(await connect(t, node.url));
  await ch.assertQueue('dl-cycle', { ...Q, arguments: { 'x-message-ttl': 50, 'x-dead-letter-exchange': '' } });
  ch.sendToQueue('dl-cycle', Buffer.from('loop?'));
  await sleep(120);
  const samples: number[] = [];
  for (let i = 0; i < 10; i++, await sleep(15)) samples.push(await depth(ch, 'dl-cycle'));
  t.same(samples, Array(10).fill(0), 'the queue stays empty: the message was dropped');
  const c = await Collector.start(ch, 'dl-cycle', { noAck: true });
  await sleep(150);
  t.same(c.bodies, []);
});

t.test('a rejected message may cycle back to its own queue (a consumer decided)', async (t) => {
  const ch = await channel(await connect(t, node.url));
  await ch.assertQueue('dl-self', { ...Q, arguments: { 'x-dead-letter-exchange': '' } });
  ch.sendToQueue('dl-self', Buffer.from('again'));
  ch.reject(await getOne(ch, 'dl-self'), false);
  const back = await getOne(ch, 'dl-self');
  t.same(deaths(back).map((d) => `${d['queue']}:${d['reason']}:${d['count']}`), ['dl-self:rejected:1']);
});

t.test('a missing dead-letter exchange: the message is dropped silently', async (t) => {
  const ch = await channel(await connect(t, node.url));
  let closed = false;
  ch.on('close', () => (closed = true));
  const missing = { 'x-dead-letter-exchange': 'dl-no-such-exchange' };
  await ch.assertQueue('dl-nowhere-rejected', { ...Q, arguments: missing });
  await ch.assertQueue('dl-nowhere-expired', { ...Q, arguments: { ...missing, 'x-message-ttl': 50 } });
  ch.sendToQueue('dl-nowhere-rejected', Buffer.from('rejected'));
  ch.reject(await getOne(ch, 'dl-nowhere-rejected'), false);
  ch.sendToQueue('dl-nowhere-expired', Buffer.from('expired'));
  await sleep(150);
  t.same([await depth(ch, 'dl-nowhere-rejected'), await depth(ch, 'dl-nowhere-expired')], [0, 0], 'both gone');
  t.notOk(closed, 'no channel error');
});

t.test('x-dead-letter-routing-key without x-dead-letter-exchange: 406 at declaration', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const e = await failureOf(ch.assertQueue('dl-rk-only', { ...Q, arguments: { 'x-dead-letter-routing-key': 'k' } }), 'queue.declare');
  t.equal(e?.code, 406, 'refused');
  t.equal(e ? replyText(e) : 'declare-ok', "PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'dl-rk-only' in vhost '/': routing_key_but_no_dlx_defined");
});
