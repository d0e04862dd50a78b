/**
 * Consumers, differentially: prefetch per consumer and per channel, consumer priorities, round-robin,
 * redelivery after nack and channel close, server-sent cancel.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { closed, outcome, scenario, seen, settle, until, type Env } from './harness.js';

const Q = { durable: false } as const;
const bodies = (n: number, prefix = ''): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** A fresh queue holding `n` messages. */
async function queueWith(env: Env, ch: Channel, base: string, n: number): Promise<string> {
  const q = (await ch.assertQueue(env.name(base), Q)).queue;
  await env.send('', q, bodies(n, `${base}-`));
  return q;
}

/** Starts a consumer that records what it gets; does not wait for deliveries. */
async function consumer(ch: Channel, q: string, options: { priority?: number; noAck?: boolean } = {}) {
  const got: ConsumeMessage[] = [];
  const log: string[] = [];
  await ch.consume(q, (m) => (m ? got.push(m) : log.push('cancelled by server')), options);
  return { got, log, bodies: () => got.map((m) => m.content.toString()) };
}

scenario('basic.qos global=false limits each consumer', async (env) => {
  const ch = await env.channel();
  const q1 = await queueWith(env, ch, 'q1', 5);
  const q2 = await queueWith(env, ch, 'q2', 5);
  await ch.prefetch(2);
  const c1 = await consumer(ch, q1);
  const c2 = await consumer(ch, q2);
  await until(() => c1.got.length >= 2 && c2.got.length >= 2);
  await settle();
  const obs: unknown[] = [c1.bodies(), c2.bodies()];
  ch.ack(c1.got[0]!);
  await until(() => c1.got.length >= 3);
  await settle();
  obs.push(c1.bodies(), c2.bodies(), (await ch.checkQueue(q1)).messageCount, (await ch.checkQueue(q2)).messageCount);
  return obs;
});

scenario('basic.qos global=false applies to consumers created afterwards', async (env) => {
  const ch = await env.channel();
  const q1 = await queueWith(env, ch, 'q1', 5);
  const q2 = await queueWith(env, ch, 'q2', 5);
  await ch.prefetch(1);
  const c1 = await consumer(ch, q1);
  await ch.prefetch(3);
  const c2 = await consumer(ch, q2);
  await until(() => c1.got.length >= 1 && c2.got.length >= 3);
  await settle();
  return [c1.bodies(), c2.bodies()];
});

scenario('basic.qos global=true is shared by the channel', async (env) => {
  const ch = await env.channel();
  const q1 = await queueWith(env, ch, 'q1', 5);
  const q2 = await queueWith(env, ch, 'q2', 5);
  await ch.prefetch(3, true);
  const c1 = await consumer(ch, q1);
  await until(() => c1.got.length >= 3);
  await settle();
  const c2 = await consumer(ch, q2);
  await settle();
  const obs: unknown[] = [c1.bodies(), c2.bodies()];
  ch.ackAll();
  await until(() => c1.got.length + c2.got.length >= 6);
  await settle();
  obs.push('in flight after ackAll', c1.got.length + c2.got.length - 3);
  return obs;
});

scenario('per-consumer and channel prefetch together', async (env) => {
  const ch = await env.channel();
  const qs = [];
  for (const base of ['q1', 'q2', 'q3', 'q4']) qs.push(await queueWith(env, ch, base, 3));
  await ch.prefetch(1, false);
  await ch.prefetch(3, true);
  const cs = [];
  for (const q of qs) {
    const c = await consumer(ch, q);
    cs.push(c);
    await until(() => c.got.length >= 1, 1000);
  }
  return cs.map((c) => c.bodies());
});

scenario('consumer priorities: the highest with capacity gets the message', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  await ch.prefetch(2);
  const low = await consumer(ch, q, { priority: 0 });
  const high = await consumer(ch, q, { priority: 10 });
  const mid = await consumer(ch, q, { priority: 5 });
  await env.send('', q, bodies(8));
  await until(() => high.got.length + mid.got.length + low.got.length >= 6);
  await settle();
  const obs: unknown[] = [high.bodies(), mid.bodies(), low.bodies(), (await ch.checkQueue(q)).messageCount];
  for (const m of high.got) ch.ack(m);
  await until(() => high.got.length >= 4);
  await settle();
  obs.push(high.bodies(), mid.bodies(), low.bodies());
  return obs;
});

scenario('consumers of equal priority take turns', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  const order: string[] = [];
  for (const name of ['c1', 'c2', 'c3']) {
    await ch.consume(q, (m) => m && order.push(`${name}:${m.content}`), { noAck: true });
  }
  await env.send('', q, bodies(7));
  await until(() => order.length >= 7);
  return order;
});

scenario('nack with requeue redelivers to the consumer in queue order', async (env) => {
  const ch = await env.channel();
  const q = await queueWith(env, ch, 'q', 5);
  await ch.prefetch(3);
  const c = await consumer(ch, q);
  await until(() => c.got.length >= 3);
  ch.nack(c.got[2]!, true, true);
  await until(() => c.got.length >= 6);
  ch.reject(c.got[4]!, true);
  await until(() => c.got.length >= 7);
  ch.ackAll();
  await until(() => c.got.length >= 9);
  await settle();
  return [c.got.map(seen), (await ch.checkQueue(q)).messageCount];
});

scenario('a closed channel hands its unacked messages to another consumer', async (env) => {
  const ch1 = await env.channel();
  const ch2 = await env.channel();
  const q = await queueWith(env, ch1, 'q', 4);
  const c1 = await consumer(ch1, q);
  await until(() => c1.got.length >= 4);
  ch1.ack(c1.got[1]!);
  const c2 = await consumer(ch2, q);
  await settle();
  const obs: unknown[] = [c2.bodies()];
  await ch1.close();
  await until(() => c2.got.length >= 3);
  await settle();
  obs.push(c2.got.map(seen));
  return obs;
});

scenario('the server cancels consumers of a deleted queue', async (env) => {
  const ch = await env.channel();
  const q = await queueWith(env, ch, 'q', 2);
  const c = await consumer(ch, q);
  await until(() => c.got.length >= 2);
  const other = await env.channel();
  const obs: unknown[] = [await other.deleteQueue(q)];
  await until(() => c.log.length > 0);
  obs.push(c.log, await outcome(ch.cancel('diff-unknown-tag')), await outcome(ch.checkExchange('amq.direct')));
  ch.ackAll();
  obs.push(await closed(ch, 300));
  return obs;
});

scenario('noAck consumers empty the queue; basic.cancel stops deliveries', async (env) => {
  const ch = await env.channel();
  const q = await queueWith(env, ch, 'q', 3);
  const got: string[] = [];
  const { consumerTag } = await ch.consume(q, (m) => m && got.push(m.content.toString()), { noAck: true, consumerTag: 'diff-ctag' });
  await until(() => got.length >= 3);
  const obs: unknown[] = [consumerTag, [...got], await ch.checkQueue(q), await ch.cancel(consumerTag)];
  await env.send('', q, ['after cancel']);
  await settle();
  obs.push(got.length, await ch.checkQueue(q));
  return obs;
});

scenario('an exclusive consumer is refused while another consumer exists', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  await ch.consume(q, () => {});
  const other = await env.channel();
  return [await outcome(other.consume(q, () => {}, { exclusive: true })), await closed(other, 500), await ch.checkQueue(q)];
});

// ---- rejected, expired and overflowing messages -----------------------------------------------------

/** x-death and x-first-death headers as seen, with the death time reduced to its type. */
function deathHeaders(headers: Record<string, unknown> | undefined): unknown {
  const deaths = (headers?.['x-death'] as Record<string, unknown>[] | undefined)?.map((d) => ({ ...d, time: typeof d['time'] }));
  return { ...headers, 'x-death': deaths };
}

scenario('dead-lettering: rejected, expired and overflowing messages carry x-death', async (env) => {
  const ch = await env.channel();
  const dlq = (await ch.assertQueue(env.name('dlq'), Q)).queue;
  const dl = { deadLetterExchange: '', deadLetterRoutingKey: dlq };
  const rejecting = (await ch.assertQueue(env.name('rejecting'), { ...Q, ...dl })).queue;
  const expiring = (await ch.assertQueue(env.name('expiring'), { ...Q, ...dl, messageTtl: 50 })).queue;
  const bounded = (await ch.assertQueue(env.name('bounded'), { ...Q, ...dl, maxLength: 2 })).queue;
  await env.send('', rejecting, ['rejected']);
  const m = await ch.get(rejecting);
  if (m) ch.reject(m, false);
  await env.send('', expiring, ['expired']);
  await env.send('', bounded, ['dropped', 'kept-1', 'kept-2']);
  await settle(300);
  await ch.get(expiring); // expiry is noticed at the head
  await settle();
  const dead: { body: string }[] = [];
  for (let d = await ch.get(dlq, { noAck: true }); d; d = await ch.get(dlq, { noAck: true })) {
    dead.push({ body: d.content.toString(), routingKey: d.fields.routingKey, headers: deathHeaders(d.properties.headers) } as { body: string });
  }
  // the three deaths race each other (expiry runs on a timer): compare them by body
  return [dead.sort((a, b) => a.body.localeCompare(b.body)), (await ch.checkQueue(bounded)).messageCount];
});

scenario('x-overflow reject-publish nacks the publish that does not fit', async (env) => {
  const conn = await env.connect();
  const ch = await conn.confirmChannel();
  const q = (await ch.assertQueue(env.name('q'), { ...Q, maxLength: 2, overflow: 'reject-publish' })).queue;
  const events: string[] = [];
  ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => events.push(`ack ${f.deliveryTag}${f.multiple ? ' multiple' : ''}`));
  ch.on('nack', (f: { deliveryTag: number }) => events.push(`nack ${f.deliveryTag}`));
  for (const b of ['1', '2', '3']) {
    ch.sendToQueue(q, Buffer.from(b));
    await until(() => events.length > 0 && events.at(-1)!.endsWith(b));
  }
  const other = await env.channel();
  return [events, await other.get(q, { noAck: true }).then((m) => m && m.content.toString()), (await other.checkQueue(q)).messageCount];
});
