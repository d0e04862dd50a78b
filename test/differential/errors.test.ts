/**
 * Error paths, differentially: channel errors (reply code, text, failing class/method, the channel closed
 * and the connection kept) and connection errors (connection.close with code, text and class/method).
 */
import type { Channel, Message } from 'amqplib';
import { closed, M, outcome, raw, scenario, type Env } from './harness.js';

const Q = { durable: false } as const;
const X = { durable: false } as const;
/** A delivery tag that was never handed out. */
const tag = (deliveryTag: number): Message => ({ fields: { deliveryTag } }) as Message;

/** Runs `act` on a fresh channel: what it returned or failed with, then how the channel ended. */
function channelError(name: string, act: (ch: Channel, env: Env) => Promise<unknown>): void {
  scenario(
    name,
    async (env) => {
      const ch = await env.channel();
      return [await outcome(act(ch, env)), await closed(ch, 500)];
    },
  );
}

// ---- 404 NOT_FOUND --------------------------------------------------------------------------------

channelError('404: queue.declare passive of a missing queue', (ch, env) => ch.checkQueue(env.name('q')));
channelError('404: exchange.declare passive of a missing exchange', (ch, env) => ch.checkExchange(env.name('x')));
channelError('404: queue.bind to a missing exchange', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  return ch.bindQueue(q, env.name('x'), 'k');
});
channelError('404: queue.bind of a missing queue', (ch, env) => ch.bindQueue(env.name('q'), 'amq.direct', 'k'));
channelError('404: exchange.bind from a missing source', async (ch, env) => {
  await ch.assertExchange(env.name('dst'), 'direct', X);
  return ch.bindExchange(env.name('dst'), env.name('src'), 'k');
});
channelError('404: basic.consume on a missing queue', (ch, env) => ch.consume(env.name('q'), () => {}));
channelError('404: basic.get on a missing queue', (ch, env) => ch.get(env.name('q')));
channelError('404: queue.purge of a missing queue', (ch, env) => ch.purgeQueue(env.name('q')));
channelError('404: queue.declare passive of a missing amq.-prefixed queue', (ch, env) => ch.checkQueue(`amq.${env.name('q')}`));
channelError('404: basic.publish to a missing exchange', async (ch, env) => ch.publish(env.name('x'), 'k', Buffer.from('m')));

// ---- 406 inequivalent redeclaration ---------------------------------------------------------------

const queueRedeclare: [string, object, object][] = [
  ['durable changed', { durable: false }, { durable: true }],
  ['auto_delete changed', { ...Q, autoDelete: false }, { ...Q, autoDelete: true }],
  ['x-max-priority changed', { ...Q, maxPriority: 5 }, { ...Q, maxPriority: 10 }],
  ['x-max-priority added', Q, { ...Q, maxPriority: 5 }],
  ['x-message-ttl changed', { ...Q, messageTtl: 1000 }, { ...Q, messageTtl: 2000 }],
  ['x-message-ttl changed to another integer type', { ...Q, messageTtl: 1000 }, { ...Q, messageTtl: 100000 }],
  ['the same x-max-priority as another integer type (accepted)', { ...Q, maxPriority: 5 }, { ...Q, arguments: { 'x-max-priority': { '!': 'int', value: 5 } } }],
  ['exclusive added on the owning connection', Q, { ...Q, exclusive: true }],
  ['x-queue-type classic added (accepted: classic is the default)', Q, { ...Q, arguments: { 'x-queue-type': 'classic' } }],
  ['x-queue-type classic left out (accepted)', { ...Q, arguments: { 'x-queue-type': 'classic' } }, Q],
];
for (const [what, first, second] of queueRedeclare) {
  channelError(
    `queue redeclare: ${what}`,
    async (ch, env) => {
      await ch.assertQueue(env.name('q'), first);
      return ch.assertQueue(env.name('q'), second);
    },
  );
}

const exchangeRedeclare: [string, string, object, string, object][] = [
  ['type', 'direct', X, 'fanout', X],
  ['durable', 'topic', { durable: false }, 'topic', { durable: true }],
  ['auto_delete', 'direct', { ...X, autoDelete: false }, 'direct', { ...X, autoDelete: true }],
  ['internal', 'direct', { ...X, internal: false }, 'direct', { ...X, internal: true }],
];
for (const [what, type1, first, type2, second] of exchangeRedeclare) {
  channelError(`406: exchange redeclared with ${what} changed`, async (ch, env) => {
    await ch.assertExchange(env.name('x'), type1, first);
    return ch.assertExchange(env.name('x'), type2, second);
  });
}

channelError('406: x-max-priority 255 accepted, 256 refused', async (ch, env) => [
  await ch.assertQueue(env.name('q255'), { ...Q, maxPriority: 255 }),
  await ch.assertQueue(env.name('q256'), { ...Q, maxPriority: 256 }),
]);

scenario('x-max-priority 0 is accepted and the queue is a plain FIFO one', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q0'), { ...Q, maxPriority: 0 })).queue;
  for (const [body, priority] of [['low', 1], ['high', 9]] as const) ch.sendToQueue(q, Buffer.from(body), { priority });
  const got = await env.consume(ch, q, 2, { noAck: true });
  return got.got.map((m) => m.content.toString());
});

const badArguments: [string, object][] = [
  ['x-max-priority -1', { 'x-max-priority': -1 }],
  ['x-max-priority as a string', { 'x-max-priority': '10' }],
  ['x-message-ttl -1', { 'x-message-ttl': -1 }],
  ['x-expires 0', { 'x-expires': 0 }],
  ['x-max-length -1', { 'x-max-length': -1 }],
  ['x-overflow bogus', { 'x-overflow': 'bogus' }],
  ['x-dead-letter-exchange as a number', { 'x-dead-letter-exchange': 5 }],
];
for (const [what, args] of badArguments) {
  channelError(`406: queue.declare with ${what}`, (ch, env) => ch.assertQueue(env.name('q'), { ...Q, arguments: args }));
}
channelError('406: basic.consume with a non-integer x-priority', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  return ch.consume(q, () => {}, { arguments: { 'x-priority': 'high' } });
});

// ---- 406 preconditions ------------------------------------------------------------------------------

const unknownTags: [string, (ch: Channel) => void][] = [
  ['basic.ack', (ch) => ch.ack(tag(99))],
  ['basic.ack multiple', (ch) => ch.ack(tag(99), true)],
  ['basic.nack', (ch) => ch.nack(tag(7), false, true)],
  ['basic.reject', (ch) => ch.reject(tag(5), false)],
];
for (const [method, settle] of unknownTags) {
  channelError(`406: ${method} of an unknown delivery tag`, async (ch) => settle(ch));
}

channelError('406: basic.ack of an unknown delivery tag in a transaction', async (ch) => {
  await raw(ch).rpc(M.txSelect, {}, M.txSelectOk);
  ch.ack(tag(3));
  return raw(ch).rpc(M.txCommit, {}, M.txCommitOk);
});

channelError('406: basic.ack of a tag already acked', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  await env.send('', q, ['m']);
  const m = await ch.get(q);
  if (!m) return 'no message';
  ch.ack(m);
  ch.ack(m);
  return m.fields.deliveryTag;
});

channelError('406: exchange.delete if-unused of an exchange with a binding', async (ch, env) => {
  await ch.assertExchange(env.name('x'), 'fanout', X);
  await ch.assertQueue(env.name('q'), Q);
  await ch.bindQueue(env.name('q'), env.name('x'), '');
  return ch.deleteExchange(env.name('x'), { ifUnused: true });
});

channelError('406: queue.delete if-empty of a queue with a message', async (ch, env) => {
  await ch.assertQueue(env.name('q'), Q);
  await env.send('', env.name('q'), ['m']);
  return ch.deleteQueue(env.name('q'), { ifEmpty: true });
});

channelError('406: queue.delete if-unused of a queue with a consumer', async (ch, env) => {
  await ch.assertQueue(env.name('q'), Q);
  await ch.consume(env.name('q'), () => {});
  return ch.deleteQueue(env.name('q'), { ifUnused: true });
});

channelError('406: confirm.select on a transactional channel', async (ch) => [
  await raw(ch).rpc(M.txSelect, {}, M.txSelectOk),
  await raw(ch).rpc(M.confirmSelect, { nowait: false }, M.confirmSelectOk),
]);
channelError('406: tx.select on a confirm channel', async (ch) => [
  await raw(ch).rpc(M.confirmSelect, { nowait: false }, M.confirmSelectOk),
  await raw(ch).rpc(M.txSelect, {}, M.txSelectOk),
]);
channelError('406: tx.commit on a non-transactional channel', (ch) => raw(ch).rpc(M.txCommit, {}, M.txCommitOk));
channelError('406: tx.rollback on a non-transactional channel', (ch) => raw(ch).rpc(M.txRollback, {}, M.txRollbackOk));

channelError('406: basic.publish with a user-id that is not the connection user', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  return ch.sendToQueue(q, Buffer.from('m'), { userId: 'someone-else' });
});
channelError('406: basic.publish with an invalid expiration', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  return ch.sendToQueue(q, Buffer.from('m'), { expiration: 'soon' });
});

// ---- 403 ACCESS_REFUSED -------------------------------------------------------------------------------

channelError('403: queue.declare with the amq. prefix', (ch, env) => ch.assertQueue(`amq.${env.name('q')}`, Q));
channelError('403: exchange.declare with the amq. prefix', (ch, env) => ch.assertExchange(`amq.${env.name('x')}`, 'direct', X));
channelError('403: exchange.delete of amq.direct', (ch) => ch.deleteExchange('amq.direct'));
channelError('403: exchange.delete of a missing amq.-prefixed exchange', (ch, env) => ch.deleteExchange(`amq.${env.name('x')}`));
channelError('403: exchange.delete of the default exchange', (ch) => ch.deleteExchange(''));
channelError('403: exchange.declare of the default exchange', (ch) => ch.assertExchange('', 'direct', X));
channelError('403: queue.bind to the default exchange', async (ch, env) => {
  await ch.assertQueue(env.name('q'), Q);
  return ch.bindQueue(env.name('q'), '', 'k');
});
channelError('403: queue.unbind from the default exchange', async (ch, env) => {
  await ch.assertQueue(env.name('q'), Q);
  return ch.unbindQueue(env.name('q'), '', env.name('q'));
});
channelError('403: basic.publish to an internal exchange', async (ch, env) => {
  await ch.assertExchange(env.name('x'), 'fanout', { ...X, internal: true });
  return ch.publish(env.name('x'), '', Buffer.from('m'));
});
channelError('403: a second exclusive consumer', async (ch, env) => {
  await ch.assertQueue(env.name('q'), Q);
  await ch.consume(env.name('q'), () => {}, { exclusive: true });
  return ch.consume(env.name('q'), () => {});
});

// ---- 405 RESOURCE_LOCKED --------------------------------------------------------------------------------

scenario('405: an exclusive queue used from another connection', async (env) => {
  const owner = await env.channel();
  const q = (await owner.assertQueue(env.name('q'), { ...Q, exclusive: true })).queue;
  owner.sendToQueue(q, Buffer.from('m'));
  const other = await env.connect();
  const attempts: [string, (ch: Channel) => Promise<unknown>][] = [
    ['declare', (ch) => ch.assertQueue(q, Q)],
    ['declare exclusive', (ch) => ch.assertQueue(q, { ...Q, exclusive: true })],
    ['passive declare', (ch) => ch.checkQueue(q)],
    ['consume', (ch) => ch.consume(q, () => {})],
    ['get', (ch) => ch.get(q)],
    ['purge', (ch) => ch.purgeQueue(q)],
    ['bind', (ch) => ch.bindQueue(q, 'amq.fanout', '')],
    ['delete', (ch) => ch.deleteQueue(q)],
    ['publish through the default exchange', async (ch) => (ch.sendToQueue(q, Buffer.from('from another connection')), closed(ch, 300))],
  ];
  const obs: unknown[] = [];
  for (const [what, attempt] of attempts) obs.push(what, await outcome(attempt(await other.channel())));
  obs.push('owner still has it', await owner.checkQueue(q));
  return obs;
});

// ---- connection errors ------------------------------------------------------------------------------------

/** Runs `act` on a fresh connection and reports how the connection ended. */
function connectionError(name: string, act: (ch: Channel, env: Env) => Promise<unknown>): void {
  scenario(
    name,
    async (env) => {
      const conn = await env.connect();
      const ch = await conn.channel();
      await act(ch, env).catch(() => {});
      return [await conn.closed()];
    },
  );
}

// A type name never used before: RabbitMQ says "invalid" instead of "unknown" once the name exists as an
// Erlang atom, which anything earlier (another test's 'bogus' argument value) may have made it.
connectionError('503: exchange.declare of an unknown exchange type', (ch, env) => ch.assertExchange(env.name('x'), env.name('no-such-type'), X));
connectionError('540: basic.publish with immediate=true', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  raw(ch).sendMessage({ exchange: '', routingKey: q, mandatory: false, immediate: true }, {}, Buffer.from('m'));
});
connectionError('540: basic.recover with requeue=false', (ch) => raw(ch).rpc(M.basicRecover, { requeue: false }, M.basicRecoverOk));
connectionError('540: channel.flow active=false', (ch) => raw(ch).rpc(M.channelFlow, { active: false }, M.channelFlowOk));
connectionError('540: basic.qos with a prefetch size', (ch) =>
  raw(ch).rpc(M.basicQos, { prefetchSize: 1000, prefetchCount: 0, global: false }, M.basicQosOk),
);
connectionError('530: basic.consume reusing a consumer tag on the channel', async (ch, env) => {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  await ch.consume(q, () => {}, { consumerTag: 'diff-tag' });
  await ch.consume(q, () => {}, { consumerTag: 'diff-tag' });
});
