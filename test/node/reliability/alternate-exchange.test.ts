/**
 * Alternate exchanges over real TCP: set by argument or by policy (the argument wins), chains of them,
 * their interplay with mandatory and confirms, inequivalent re-declaration, and the user's notes §8.3
 * topology (confirm.exchange with backup.exchange as its AE, a backup and a warning queue), run against
 * Warren with fixed expectations and, when RabbitMQ is reachable, differentially.
 */
import t from 'tap';
import type { ConfirmChannel } from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { scenario } from '../../differential/harness.js';
import {
  channel,
  cloudChannel,
  confirmChannel,
  ConfirmLog,
  connect,
  drain,
  nodeFor,
  policy,
  rejection,
  replyText,
  vhostOf,
  within,
  type Scope,
} from './helpers.js';

const node = await nodeFor(t);
const X = { durable: false } as const;
/** Bound for the scenario's waits: the shared RabbitMQ may be busy with other suites. */
const SLOW_MS = 10_000;

/** Publishes one mandatory message and lists what the broker answered on the channel, in order. */
async function mandatoryPublish(ch: ConfirmChannel, log: ConfirmLog, exchange: string, key: string): Promise<string[]> {
  const before = log.frames.length;
  ch.publish(exchange, key, Buffer.from(key), { mandatory: true });
  await within(ch.waitForConfirms(), `the confirm of ${exchange}/${key}`);
  return log.frames.slice(before).map((f) => f.replace(/^(ack|nack) \d+.*$/, '$1'));
}

/** A confirm channel with its log, and the named queues declared (non-durable). */
async function setup(t: Scope, queues: string[] = []) {
  const ch = await confirmChannel(await connect(t, node.url));
  const log = ConfirmLog.watch(ch);
  for (const q of queues) await ch.assertQueue(q, X);
  return { ch, log };
}

t.test('AE by argument: unroutable messages go to the AE, routable ones do not', async (t) => {
  const { ch, log } = await setup(t, ['aea-main-q', 'aea-backup-q']);
  await ch.assertExchange('aea-ae', 'fanout', X);
  await ch.assertExchange('aea-x', 'direct', { ...X, alternateExchange: 'aea-ae' });
  await ch.bindQueue('aea-main-q', 'aea-x', 'good');
  await ch.bindQueue('aea-backup-q', 'aea-ae', '');
  t.same(await mandatoryPublish(ch, log, 'aea-x', 'good'), ['ack']);
  t.same(await mandatoryPublish(ch, log, 'aea-x', 'bad'), ['ack'], 'routed via the AE: acked, no return');
  t.same(await drain(ch, 'aea-main-q'), ['good']);
  t.same(await drain(ch, 'aea-backup-q'), ['bad']);
});

t.test('AE by policy, and the argument wins over the policy', async (t) => {
  const { ch, log } = await setup(t, ['aep-policy-q', 'aep-arg-q']);
  await ch.assertExchange('aep-policy-ae', 'fanout', X);
  await ch.assertExchange('aep-arg-ae', 'fanout', X);
  await ch.bindQueue('aep-policy-q', 'aep-policy-ae', '');
  await ch.bindQueue('aep-arg-q', 'aep-arg-ae', '');
  await ch.assertExchange('aep-by-policy', 'direct', X);
  await ch.assertExchange('aep-by-both', 'direct', { ...X, alternateExchange: 'aep-arg-ae' });
  policy(t, node, 'policy', 'aep', '^aep-by-', { 'alternate-exchange': 'aep-policy-ae' }, { applyTo: 'exchanges' });
  t.same(await mandatoryPublish(ch, log, 'aep-by-policy', 'k1'), ['ack']);
  t.same(await mandatoryPublish(ch, log, 'aep-by-both', 'k2'), ['ack']);
  t.same(await drain(ch, 'aep-policy-q'), ['k1'], 'the policy gives an AE to an exchange without one');
  t.same(await drain(ch, 'aep-arg-q'), ['k2'], 'the alternate-exchange argument wins over the policy');
});

t.test('AE policy applied to a live exchange, and cleared again', async (t) => {
  const { ch, log } = await setup(t, ['aelive-q']);
  await ch.assertExchange('aelive-ae', 'fanout', X);
  await ch.bindQueue('aelive-q', 'aelive-ae', '');
  await ch.assertExchange('aelive-x', 'direct', X);
  t.same(await mandatoryPublish(ch, log, 'aelive-x', 'before'), ['return 312 NO_ROUTE aelive-x/before before', 'ack']);
  policy(t, node, 'policy', 'aelive', '^aelive-x$', { 'alternate-exchange': 'aelive-ae' }, { applyTo: 'exchanges' });
  t.same(await mandatoryPublish(ch, log, 'aelive-x', 'during'), ['ack']);
  vhostOf(node).clearPolicy('policy', 'aelive');
  t.same(await mandatoryPublish(ch, log, 'aelive-x', 'after'), ['return 312 NO_ROUTE aelive-x/after after', 'ack']);
  t.same(await drain(ch, 'aelive-q'), ['during']);
});

t.test('AE chain: x -> ae1 (no match) -> ae2 -> queue', async (t) => {
  const { ch, log } = await setup(t, ['aec-q', 'aec-ae1-q']);
  await ch.assertExchange('aec-ae2', 'fanout', X);
  await ch.assertExchange('aec-ae1', 'direct', { ...X, alternateExchange: 'aec-ae2' });
  await ch.assertExchange('aec-x', 'direct', { ...X, alternateExchange: 'aec-ae1' });
  await ch.bindQueue('aec-q', 'aec-ae2', '');
  await ch.bindQueue('aec-ae1-q', 'aec-ae1', 'caught-by-ae1');
  t.same(await mandatoryPublish(ch, log, 'aec-x', 'deep'), ['ack']);
  t.same(await mandatoryPublish(ch, log, 'aec-x', 'caught-by-ae1'), ['ack']);
  t.same(await drain(ch, 'aec-q'), ['deep'], 'reached the second AE');
  t.same(await drain(ch, 'aec-ae1-q'), ['caught-by-ae1'], 'the first AE routes what it can, and the chain stops there');
});

t.test('AE cycle (a <-> b) with nothing bound terminates: returned, acked', async (t) => {
  const { ch, log } = await setup(t);
  await ch.assertExchange('aecyc-a', 'direct', { ...X, alternateExchange: 'aecyc-b' });
  await ch.assertExchange('aecyc-b', 'direct', { ...X, alternateExchange: 'aecyc-a' });
  t.same(await mandatoryPublish(ch, log, 'aecyc-a', 'k'), ['return 312 NO_ROUTE aecyc-a/k k', 'ack']);
});

t.test('AE with no bindings, or a missing AE, + mandatory: basic.return then the ack', async (t) => {
  const { ch, log } = await setup(t);
  await ch.assertExchange('aen-ae', 'fanout', X);
  await ch.assertExchange('aen-x', 'direct', { ...X, alternateExchange: 'aen-ae' });
  await ch.assertExchange('aen-missing', 'direct', { ...X, alternateExchange: 'aen-no-such-exchange' });
  t.same(await mandatoryPublish(ch, log, 'aen-x', 'k1'), ['return 312 NO_ROUTE aen-x/k1 k1', 'ack']);
  t.same(await mandatoryPublish(ch, log, 'aen-missing', 'k2'), ['return 312 NO_ROUTE aen-missing/k2 k2', 'ack']);
});

/** Declares `aer-x` with AE `aer-a`, then re-declares it with `second`; the failure as the client saw it. */
async function redeclareAe(t: Scope, second: string | undefined) {
  const conn = await connect(t, node.url);
  await (await confirmChannel(conn)).assertExchange('aer-x', 'direct', { ...X, alternateExchange: 'aer-a' });
  await (await confirmChannel(conn)).assertExchange('aer-x', 'direct', { ...X, alternateExchange: 'aer-a' });
  return rejection((await confirmChannel(conn)).assertExchange('aer-x', 'direct', second === undefined ? X : { ...X, alternateExchange: second }));
}

t.test('re-declaring an exchange without its alternate-exchange: 406 inequivalent arg', async (t) => {
  const e = await redeclareAe(t, undefined);
  t.equal(e.code, 406);
  t.equal(replyText(e), "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'aer-x' in vhost '/': received none but current is the value 'aer-a' of type 'longstr'");
});

t.test('re-declaring an exchange with a different alternate-exchange: 406 inequivalent arg', async (t) => {
  const e = await redeclareAe(t, 'aer-b');
  t.equal(e.code, 406);
  t.equal(
    replyText(e),
    "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'aer-x' in vhost '/': received 'aer-b' but current is 'aer-a'",
    "RabbitMQ's text",
  );
});

// ---- the user's notes §8.3: confirm.exchange, backup.exchange, warning queue -------------------------------

/**
 * The §8.3 Spring example with @cloudamqp/amqp-client standing in for RabbitTemplate: the confirm callback
 * is the publish promise, the returns callback is onReturn (publisher-returns = mandatory), the warning
 * consumer a basic.consume on warning.queue. Returns what the application would have logged.
 */
async function section83(url: string, name: (base: string) => string): Promise<unknown[]> {
  const client = new AMQPClient(url, undefined, null);
  client.onerror = () => {};
  await within(client.connect(), 'connect', SLOW_MS);
  try {
    const ch = await cloudChannel(client);
    await ch.confirmSelect();
    const [confirmX, backupX, confirmQ, backupQ, warningQ] = ['confirm.exchange', 'backup.exchange', 'confirm.queue', 'backup.queue', 'warning.queue'].map(name) as [string, string, string, string, string];
    await ch.exchangeDeclare(confirmX, 'direct', { durable: true }, { 'alternate-exchange': backupX });
    await ch.exchangeDeclare(backupX, 'fanout', { durable: true });
    for (const q of [confirmQ, backupQ, warningQ]) await ch.queueDeclare(q, { durable: true });
    await ch.queueBind(confirmQ, confirmX, 'key1');
    await ch.queueBind(backupQ, backupX, '');
    await ch.queueBind(warningQ, backupX, '');
    const warnings: string[] = [];
    await ch.basicConsume(warningQ, { noAck: true }, (m) => void warnings.push(`warning: ${m.bodyToString()}`));
    const callbacks: string[] = [];
    ch.onReturn = (m) => void callbacks.push(`returned ${m.replyCode} ${m.replyText} ${m.routingKey}`);
    for (const key of ['key1', 'key1fake']) {
      await within(ch.basicPublish(confirmX, key, `hello via ${key}`, {}, true), `confirm of ${key}`, SLOW_MS).then(
        (seq) => callbacks.push(`ack ${seq} ${key}`),
        () => callbacks.push(`nack ${key}`),
      );
    }
    const deadline = Date.now() + SLOW_MS;
    while (warnings.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const contents = async (q: string) => {
      const out: string[] = [];
      for (let m = await ch.basicGet(q); m; m = await ch.basicGet(q)) out.push(m.bodyToString() ?? '');
      return out;
    };
    const queues = { confirm: await contents(confirmQ), backup: await contents(backupQ) };
    // §8.3.4: changing the exchange's AE without deleting it first fails
    const redeclare = await ch.exchangeDeclare(confirmX, 'direct', { durable: true }).then(
      () => 'ok',
      (e: Error) => e.message,
    );
    return [callbacks, warnings, queues, redeclare];
  } finally {
    await client.close().catch(() => {});
  }
}

t.test('§8.3: a wrong routing key goes to backup.queue and warning.queue, acked, no returns callback', async (t) => {
  const observed = await section83(node.url, (n) => n);
  const ch = await channel(await connect(t, node.url));
  for (const q of ['confirm.queue', 'backup.queue', 'warning.queue']) await ch.deleteQueue(q);
  for (const x of ['confirm.exchange', 'backup.exchange']) await ch.deleteExchange(x);
  t.same(observed, [
    ['ack 1 key1', 'ack 2 key1fake'],
    ['warning: hello via key1fake'],
    { confirm: ['hello via key1'], backup: ['hello via key1fake'] },
    "channel 1 closed: PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'confirm.exchange' in vhost '/': received none but current is the value 'backup.exchange' of type 'longstr' (406)",
  ]);
});

scenario('differential: the notes §8.3 backup-exchange topology', (env) => section83(env.url, (n) => env.name(n)));
