/**
 * Direct reply-to (amq.rabbitmq.reply-to), differentially: the RPC round trip Spring's RabbitTemplate and
 * the tutorials' clients make, and every refusal RabbitMQ gives around the pseudo-queue.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { closed, outcome, returned, scenario, seen, until, type Env } from './harness.js';

const REPLY = 'amq.rabbitmq.reply-to';

/** An RPC server on a queue of its own: answers each request on the default exchange, to its reply_to. */
async function rpcServer(env: Env, options: { mandatory?: boolean } = {}) {
  const ch = await (await env.connect()).confirmChannel();
  const q = (await ch.assertQueue(env.name('rpc'), { durable: false })).queue;
  const replyTos: string[] = [];
  const returns: string[] = [];
  ch.on('return', (m) => returns.push(returned(m)));
  await ch.consume(
    q,
    (m) => {
      replyTos.push(m!.properties.replyTo);
      ch.publish('', m!.properties.replyTo, Buffer.from(`re: ${m!.content}`), { correlationId: m!.properties.correlationId, ...options });
    },
    { noAck: true },
  );
  return { ch, q, replyTos, returns };
}

/** Consumes replies on `ch` into a list. */
async function replies(ch: Channel): Promise<{ tag: string; got: ConsumeMessage[] }> {
  const got: ConsumeMessage[] = [];
  const { consumerTag } = await ch.consume(REPLY, (m) => m && got.push(m), { noAck: true });
  return { tag: consumerTag, got };
}

scenario('direct reply-to: requests and their replies, in order, with the reply address', async (env) => {
  const server = await rpcServer(env);
  const ch = await env.channel();
  const { tag, got } = await replies(ch);
  for (const id of ['1', '2', '3']) ch.publish('', server.q, Buffer.from(`req ${id}`), { replyTo: REPLY, correlationId: id });
  await until(() => got.length >= 3);
  await server.ch.waitForConfirms();
  const first = got[0]!;
  return [
    // delivery tags left out: RabbitMQ gives every reply the channel's next tag without taking it (all 1
    // here); Warren gives each its own (docs/rabbitmq-differences.md)
    got.map((m) => [seen(m), m.properties.correlationId, m.fields.consumerTag === tag]),
    server.replyTos,
    // the address the server saw is the routing key the reply came back with
    server.replyTos.every((r) => r === first.fields.routingKey),
    server.returns,
  ];
});

scenario('direct reply-to: a reply to a channel that has closed is unroutable (returned if mandatory, still confirmed)', async (env) => {
  const server = await rpcServer(env, { mandatory: true });
  const ch = await env.channel();
  await replies(ch);
  ch.publish('', server.q, Buffer.from('req'), { replyTo: REPLY });
  await until(() => server.replyTos.length === 1);
  await ch.close();
  server.ch.publish('', server.replyTos[0]!, Buffer.from('late'), { mandatory: true });
  server.ch.publish('', `${REPLY}.not-a-key`, Buffer.from('forged'), { mandatory: true });
  await server.ch.waitForConfirms();
  // the reply while the channel was open is delivered: RabbitMQ returns it too, Warren does not
  const unroutable = (): string[] => server.returns.filter((r) => !r.startsWith('return re: '));
  await until(() => unroutable().length >= 2);
  return [unroutable()];
});

scenario('direct reply-to: a cancelled reply consumer no longer takes requests', async (env) => {
  const ch = await env.channel();
  const { tag } = await replies(ch);
  await ch.cancel(tag);
  ch.publish('', 'anywhere', Buffer.from('req'), { replyTo: REPLY });
  return [await closed(ch)];
});

const refusals: [string, (ch: Channel) => Promise<unknown>][] = [
  ['a reply consumer that acknowledges', (ch) => ch.consume(REPLY, () => {}, { noAck: false })],
  ['a second reply consumer on one channel', async (ch) => (await replies(ch), ch.consume(REPLY, () => {}, { noAck: true }))],
  ['a request for a direct reply without a reply consumer', async (ch) => (ch.publish('', 'anywhere', Buffer.from('req'), { replyTo: REPLY }), ch.checkQueue('amq.direct'))],
  ['basic.get from the pseudo-queue', (ch) => ch.get(REPLY)],
  ['a binding of the pseudo-queue', (ch) => ch.bindQueue(REPLY, 'amq.direct', 'k')],
  ['a purge of the pseudo-queue', (ch) => ch.purgeQueue(REPLY)],
];
for (const [what, act] of refusals) {
  scenario(`direct reply-to refuses ${what}`, async (env) => {
    const ch = await env.channel();
    return [await outcome(act(ch)), await closed(ch, 500)];
  });
}

scenario('direct reply-to: the pseudo-queue answers declare (passive or not), exclusive consumers and delete', async (env) => {
  const ch = await env.channel();
  return [
    await outcome(ch.checkQueue(REPLY)),
    await outcome(ch.assertQueue(REPLY, { durable: false })),
    await outcome(ch.consume(REPLY, () => {}, { noAck: true, exclusive: true, consumerTag: 'mine' })),
    await outcome(ch.deleteQueue(REPLY)),
    await closed(ch, 300),
  ];
});
