/**
 * Where dead letters go and what they carry, over real TCP, as RabbitMQ 3.10 does it: cycle detection
 * looks only at the deaths since the last one in the target queue; without a dead-letter routing key a
 * dead letter is routed on every key it was published with (CC and BCC too, also after the message sat
 * in the message store or in a packed backlog); with one, on that key alone and without its CC header;
 * a repeated death counts up and keeps the time of the first. Each case also runs differentially.
 */
import t from 'tap';
import type { Channel, Message } from 'amqplib';
import { scenario } from '../../differential/harness.js';
import { channel, confirmChannel, connect, deaths, depth, drain, getOne, nodeFor, sleep, timestampSeconds, within } from './helpers.js';

const node = await nodeFor(t);
const Q = { durable: false } as const;

/** x-death as `queue:reason:count`, most recent first. */
const summary = (m: Message): string[] => deaths(m).map((d) => `${d['queue']}:${d['reason']}:${d['count']}`);

/** A message as these tests compare it: body, routing key, and headers with x-death times left out. */
function seen(m: Message, name: (s: string) => string = (s) => s): unknown {
  const { 'x-death': _xd, ...headers } = m.properties.headers ?? {};
  const xDeath = deaths(m).map(({ time: _time, ...d }) => d);
  return { body: m.content.toString(), routingKey: m.fields.routingKey, headers, xDeath, from: name(m.fields.exchange) };
}

/**
 * P dead-letters rejections to Q (default exchange); Q expires messages after 100 ms into a fanout
 * exchange bound to Q itself and to a sink R. A message rejected from P then expires in Q: RabbitMQ looks
 * at the deaths up to the last one in Q (just "Q expired"), finds no rejection and drops the copy for Q.
 */
async function rejectThenExpireCycle(ch: Channel, name: (s: string) => string): Promise<{ r: Message[]; q: number }> {
  const [p, q, r, fx] = [name('cyc-p'), name('cyc-q'), name('cyc-r'), name('cyc-fx')];
  await ch.assertExchange(fx, 'fanout', Q);
  await ch.assertQueue(p, { ...Q, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': q } });
  await ch.assertQueue(q, { ...Q, arguments: { 'x-message-ttl': 100, 'x-dead-letter-exchange': fx } });
  await ch.assertQueue(r, Q);
  await ch.bindQueue(q, fx, '');
  await ch.bindQueue(r, fx, '');
  ch.sendToQueue(p, Buffer.from('cycle'));
  ch.reject(await getOne(ch, p), false);
  await sleep(700);
  const out: Message[] = [];
  for (let m = await ch.get(r, { noAck: true }); m; m = await ch.get(r, { noAck: true })) out.push(m);
  return { r: out, q: await depth(ch, q) };
}

t.test('a cycle of expiries after an earlier rejection is dropped: only deaths since the last in the target count', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const { r, q } = await rejectThenExpireCycle(ch, (s) => s);
  t.same(r.map(summary), [['cyc-q:expired:1', 'cyc-p:rejected:1']], 'the sink got one copy');
  t.equal(q, 0, 'and the copy for Q was dropped');
});

scenario('dead-letter cycle: expiries after an earlier rejection are dropped', async (env) => {
  const { r, q } = await rejectThenExpireCycle(await env.channel(), (s) => env.name(s));
  return [r.map(summary), q];
});

/**
 * A direct dead-letter exchange with D1..D3 bound on k1..k3; `src` dead-letters to it (with `dlrk` if
 * given) and is bound to amq.direct on `key`. Publishes one message there with CC k2 and BCC k3 (or as
 * `publish` says), rejects it, and returns what each D queue received.
 */
async function deadLetterWithCcBcc(ch: Channel, name: (s: string) => string, opts: { dlrk?: string; lazy?: boolean } = {}) {
  const [src, dx] = [name('ccsrc'), name('ccdx')];
  const targets = ['k1', 'k2', 'k3'].map((k) => [k, name(`cc-${k}`)] as const);
  await ch.assertExchange(dx, 'direct', Q);
  for (const [k, d] of targets) {
    await ch.assertQueue(d, Q);
    await ch.bindQueue(d, dx, name(k));
  }
  const args: Record<string, unknown> = { 'x-dead-letter-exchange': dx };
  if (opts.dlrk !== undefined) args['x-dead-letter-routing-key'] = name(opts.dlrk);
  if (opts.lazy) args['x-queue-mode'] = 'lazy';
  await ch.assertQueue(src, { ...Q, arguments: args });
  await ch.bindQueue(src, 'amq.direct', name('src-key'));
  ch.publish('amq.direct', name('src-key'), Buffer.from('copied'), { headers: { CC: [name('k2')], BCC: [name('k3')] } });
  const m = await getOne(ch, src);
  ch.reject(m, false);
  await sleep(150);
  const received: Record<string, unknown[]> = {};
  for (const [k, d] of targets) {
    received[k] = [];
    for (let g = await ch.get(d, { noAck: true }); g; g = await ch.get(d, { noAck: true })) received[k]!.push(seen(g, (s) => s.replace(name(''), '')));
  }
  return { delivered: m.properties.headers, received };
}

t.test('without a dead-letter routing key the dead letter is routed on its CC and BCC keys too', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const { delivered, received } = await deadLetterWithCcBcc(ch, (s) => `nodlrk-${s}`);
  t.same(delivered, { CC: ['nodlrk-k2'] }, 'the BCC header never reaches a consumer');
  const copy = {
    body: 'copied',
    routingKey: 'nodlrk-src-key',
    headers: { CC: ['nodlrk-k2'], 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'nodlrk-ccsrc', 'x-first-death-exchange': 'amq.direct' },
    xDeath: [{ count: 1, reason: 'rejected', queue: 'nodlrk-ccsrc', exchange: 'amq.direct', 'routing-keys': ['nodlrk-src-key', 'nodlrk-k2'] }],
    from: 'ccdx',
  };
  t.same(received, { k1: [], k2: [copy], k3: [copy] }, 'one copy each for the CC and the BCC key (the routing key has no binding)');
});

t.test('with a dead-letter routing key the dead letter is routed on it alone, without its CC header', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const { received } = await deadLetterWithCcBcc(ch, (s) => `dlrk-${s}`, { dlrk: 'k1' });
  t.same(received.k2, [], 'not on the CC key');
  t.same(received.k3, [], 'nor on the BCC key');
  t.same(received.k1, [
    {
      body: 'copied',
      routingKey: 'dlrk-k1',
      headers: { 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'dlrk-ccsrc', 'x-first-death-exchange': 'amq.direct' },
      xDeath: [{ count: 1, reason: 'rejected', queue: 'dlrk-ccsrc', exchange: 'amq.direct', 'routing-keys': ['dlrk-src-key', 'dlrk-k2'] }],
      from: 'ccdx',
    },
  ]);
});

t.test('BCC keys are kept with a message the queue holds only in the message store (lazy)', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const { received } = await deadLetterWithCcBcc(ch, (s) => `lazy-${s}`, { lazy: true });
  t.same([received.k1!.length, received.k2!.length, received.k3!.length], [0, 1, 1], 'routed on the BCC key after the store');
});

t.test('BCC keys are kept with a message behind a packed backlog', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('packed-dx', 'direct', Q);
  await ch.assertQueue('packed-bcc-target', Q);
  await ch.bindQueue('packed-bcc-target', 'packed-dx', 'packed-bcc-key');
  await ch.assertQueue('packed-src', { ...Q, arguments: { 'x-dead-letter-exchange': 'packed-dx', 'x-message-ttl': 400 } });
  // past 1,024 waiting messages a queue packs new ones into bytes (see PackedFifo)
  for (let i = 0; i < 1100; i++) ch.sendToQueue('packed-src', Buffer.from(`filler ${i}`));
  ch.sendToQueue('packed-src', Buffer.from('last'), { headers: { BCC: ['packed-bcc-key'] } });
  await within(ch.waitForConfirms(), 'confirms');
  t.same((await getOne(ch, 'packed-bcc-target')).content.toString(), 'last', 'expired, and routed on its BCC key');
  t.same(await drain(ch, 'packed-bcc-target'), [], 'nothing else');
});

scenario('dead-lettering routes on CC and BCC keys without a dead-letter routing key; with one, CC is removed', async (env) => {
  const ch = await env.channel();
  const plain = await deadLetterWithCcBcc(ch, (s) => env.name(`plain-${s}`));
  const keyed = await deadLetterWithCcBcc(ch, (s) => env.name(`keyed-${s}`), { dlrk: 'k1' });
  return [plain, keyed];
});

/**
 * `work` dead-letters rejections to `wait` (default exchange), which expires them after 1.1 s back to
 * `work`. Returns the message as it comes back to `work` after one round trip and after two.
 */
async function twoRoundTrips(ch: Channel, name: (s: string) => string): Promise<[Message, Message]> {
  const [work, wait] = [name('xd-work'), name('xd-wait')];
  await ch.assertQueue(work, { ...Q, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': wait } });
  await ch.assertQueue(wait, { ...Q, arguments: { 'x-message-ttl': 1100, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': work } });
  ch.sendToQueue(work, Buffer.from('retry'));
  ch.reject(await getOne(ch, work), false);
  const once = await getOne(ch, work, 5000);
  ch.reject(once, false);
  return [once, await getOne(ch, work, 5000)];
}

/** Each x-death entry after two round trips: its count, and whether its time is the one it had after the first. */
function countsAndTimes([once, twice]: [Message, Message]): string[] {
  const timeOf = (m: Message, queue: unknown) => timestampSeconds(deaths(m).find((d) => d['queue'] === queue)?.['time']);
  return deaths(twice).map((d) => `${d['reason']}:${d['count']}:${timeOf(twice, d['queue']) === timeOf(once, d['queue']) ? 'first time' : 'new time'}`);
}

t.test('x-death: a repeated death counts up and keeps the time of the first', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const trips = await twoRoundTrips(ch, (s) => s);
  t.same(summary(trips[1]), ['xd-wait:expired:2', 'xd-work:rejected:2']);
  t.same(countsAndTimes(trips), ['expired:2:first time', 'rejected:2:first time'], 'the second deaths came over a second later');
});

scenario('x-death: a repeated death counts up and keeps the time of the first', async (env) => countsAndTimes(await twoRoundTrips(await env.channel(), (s) => env.name(s))));
