/**
 * rabbitmq-client against a node: a confirmed publisher, basic.get, a managed consumer that acks, and a
 * channel error (AMQPChannelError with RabbitMQ's code) that leaves the connection usable.
 */
import t from 'tap';
import { Connection, type AsyncMessage } from 'rabbitmq-client';
import { nodeFor, within } from '../node/broker/helpers.js';

const node = await nodeFor(t);

async function open(t: { teardown(fn: () => unknown): void }): Promise<Connection> {
  const rabbit = new Connection({ url: node.url, retryLow: 50, retryHigh: 200, connectionTimeout: 5000 });
  rabbit.on('error', () => {});
  t.teardown(() => within(rabbit.close(), 'rabbitmq-client close').catch(() => {}));
  await rabbit.onConnect(5000);
  return rabbit;
}

t.test('confirmed publish, get, consume with ack', async (t) => {
  const rabbit = await open(t);
  t.match(await rabbit.queueDeclare({ queue: 'rc-q', durable: false }), { queue: 'rc-q', messageCount: 0 });
  const pub = rabbit.createPublisher({ confirm: true, maxAttempts: 1 });
  t.teardown(() => pub.close());
  for (let i = 1; i <= 4; i++) {
    await within(pub.send({ exchange: '', routingKey: 'rc-q', correlationId: `c${i}`, headers: { i } }, { n: i }), 'publisher confirm');
  }

  const got = await rabbit.basicGet({ queue: 'rc-q', noAck: true });
  t.match(got, { body: { n: 1 }, contentType: 'application/json', correlationId: 'c1', headers: { i: 1 }, messageCount: 3 });

  const received: AsyncMessage[] = [];
  let done!: () => void;
  const three = new Promise<void>((resolve) => (done = resolve));
  const sub = rabbit.createConsumer({ queue: 'rc-q', qos: { prefetchCount: 1 } }, (msg) => {
    received.push(msg);
    if (received.length === 3) done();
  });
  await within(three, 'three deliveries');
  await sub.close();
  t.same(received.map((m) => m.body), [{ n: 2 }, { n: 3 }, { n: 4 }]);
  t.match(await rabbit.queueDeclare({ queue: 'rc-q', passive: true }), { messageCount: 0, consumerCount: 0 }, 'all acked');
});

t.test('a channel error is an AMQPChannelError and the connection survives', async (t) => {
  const rabbit = await open(t);
  const ch = await rabbit.acquire();
  const err = await ch.queueDeclare({ queue: 'rc-missing', passive: true }).then(
    () => null,
    (e: Error & { code?: string }) => e,
  );
  t.match(err, { name: 'AMQPChannelError', code: 'NOT_FOUND', message: "NOT_FOUND - no queue 'rc-missing' in vhost '/'" });
  t.notOk(ch.active, 'the channel is closed');
  t.match(await rabbit.queueDeclare({ exclusive: true }), { queue: /^amq\.gen-/ }, 'the connection still works');
});

t.test('RPC over direct reply-to: createRPCClient and a consumer that replies', async (t) => {
  const rabbit = await open(t);
  await rabbit.queueDeclare({ queue: 'rc-rpc', durable: false });
  const server = rabbit.createConsumer({ queue: 'rc-rpc' }, async (msg, reply) => {
    t.match(msg.replyTo, /^amq\.rabbitmq\.reply-to\.\S+$/, 'the request names its channel-specific reply address');
    await reply({ sum: (msg.body as { a: number; b: number }).a + (msg.body as { a: number; b: number }).b });
  });
  t.teardown(() => server.close());
  const rpc = rabbit.createRPCClient({ confirm: true, timeout: 5000 });
  t.teardown(() => rpc.close());
  const answers = await within(Promise.all([1, 2, 3].map((a) => rpc.send('rc-rpc', { a, b: 10 }))), 'three RPC replies');
  t.same(answers.map((m) => m.body), [{ sum: 11 }, { sum: 12 }, { sum: 13 }], 'each reply matched to its request');
  t.match(await rabbit.queueDeclare({ queue: 'rc-rpc', passive: true }), { messageCount: 0 }, 'replies went through no queue');
});
