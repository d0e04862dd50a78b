/**
 * Queue lifecycle and message accounting, differentially: declare-ok/purge-ok/delete-ok counts, deletes of
 * missing things, basic.get counts and redelivered flags, requeue order, auto-delete, exclusive queues
 * and transactions.
 */
import type { Channel, GetMessage, Message } from 'amqplib';
import { closed, M, outcome, raw, returned, scenario, seen, settle, until, type Conn, type Env } from './harness.js';

const Q = { durable: false } as const;
const body = (s: string): Buffer => Buffer.from(s);

/** A fresh queue with these bodies in it. */
async function filled(env: Env, ch: Channel, bodies: string[]): Promise<string> {
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  await env.send('', q, bodies);
  return q;
}

/** A basic.get as the client saw it. */
const got = (m: GetMessage | false): unknown => (m ? { ...seen(m), messageCount: m.fields.messageCount } : 'get-empty');

/** Drains a queue with basic.get, acking each message. */
async function drain(ch: Channel, q: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let m = await ch.get(q); m; m = await ch.get(q)) {
    out.push(seen(m));
    ch.ack(m);
  }
  return out;
}

/** Whether a queue exists, probed on a fresh channel; waits up to 3 s for it to reach `settled`. */
async function queueState(conn: Conn, q: string, settled: (r: unknown) => boolean): Promise<unknown> {
  let r: unknown;
  await until(async () => settled((r = await outcome(conn.channel().then((ch) => ch.checkQueue(q))))));
  return r;
}
const code = (r: unknown): number | undefined => (r as { code?: number }).code;

scenario('declare-ok counts ready messages and consumers', async (env) => {
  const ch = await env.channel();
  const q = env.name('q');
  const obs: unknown[] = [await ch.assertQueue(q, Q)];
  await env.send('', q, ['a', 'b', 'c']);
  obs.push(await ch.checkQueue(q));
  await ch.prefetch(1);
  const c = await env.consume(ch, q, 1);
  obs.push(c.got.map(seen), await ch.assertQueue(q, Q), await ch.checkQueue(q));
  await ch.cancel(c.tag);
  obs.push(await ch.checkQueue(q));
  return obs;
});

scenario('server-named queue and the empty queue name meaning the last declared', async (env) => {
  const ch = await env.channel();
  const d = await ch.assertQueue('', { ...Q, exclusive: true });
  const obs: unknown[] = [d];
  obs.push(await outcome(ch.bindQueue('', 'amq.direct', '')));
  ch.publish('amq.direct', d.queue, body('via amq.direct'));
  obs.push(await outcome(ch.checkQueue(d.queue)), got(await ch.get('', { noAck: true })));
  obs.push(await outcome(ch.purgeQueue('')), await outcome(ch.deleteQueue('')));
  return obs;
});

scenario('queue.purge-ok counts ready messages, not unacked ones', async (env) => {
  const ch = await env.channel();
  const q = await filled(env, ch, ['a', 'b', 'c', 'd']);
  const held = await ch.get(q);
  const obs: unknown[] = [got(held), await ch.purgeQueue(q), await ch.checkQueue(q)];
  if (held) ch.nack(held);
  await settle();
  obs.push(await ch.checkQueue(q), got(await ch.get(q, { noAck: true })), await ch.purgeQueue(q));
  return obs;
});

scenario('queue.delete-ok counts, and acks after the delete', async (env) => {
  const ch = await env.channel();
  const q = await filled(env, ch, ['a', 'b', 'c']);
  const held = await ch.get(q);
  const obs: unknown[] = [got(held), await ch.deleteQueue(q)];
  if (held) ch.ack(held);
  obs.push(await outcome(ch.checkExchange('amq.direct')), await closed(ch, 300));
  return obs;
});

scenario('deleting what does not exist succeeds', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), Q)).queue;
  return [
    await outcome(ch.deleteQueue(env.name('missing'))),
    await outcome(ch.deleteQueue(env.name('missing'), { ifEmpty: true, ifUnused: true })),
    await outcome(ch.deleteExchange(env.name('missing'))),
    await outcome(ch.deleteExchange(env.name('missing'), { ifUnused: true })),
    await outcome(ch.unbindQueue(q, 'amq.direct', 'never-bound')),
    await outcome(ch.unbindExchange('amq.fanout', 'amq.direct', 'never-bound')),
    await closed(ch, 300),
  ];
});

scenario('exchange.delete if-unused and queue.delete if-empty/if-unused succeed when they hold', async (env) => {
  const ch = await env.channel();
  const x = env.name('x');
  await ch.assertExchange(x, 'fanout', Q);
  await ch.bindExchange(x, 'amq.fanout', ''); // a destination only: still unused
  const q = await filled(env, ch, []);
  return [
    await outcome(ch.deleteExchange(x, { ifUnused: true })),
    await outcome((await env.channel()).checkExchange(x)),
    await outcome(ch.deleteQueue(q, { ifEmpty: true, ifUnused: true })),
    await outcome((await env.channel()).checkQueue(q)),
  ];
});

scenario('basic.get reports message-count and redelivered', async (env) => {
  const ch = await env.channel();
  const q = await filled(env, ch, ['a', 'b', 'c']);
  const a = await ch.get(q);
  const obs: unknown[] = [got(a)];
  const b = await ch.get(q);
  obs.push(got(b));
  if (a) ch.nack(a, false, true);
  await settle();
  obs.push(got(await ch.get(q)), got(await ch.get(q, { noAck: true })), got(await ch.get(q)));
  if (b) ch.reject(b, true);
  await settle();
  obs.push(got(await ch.get(q, { noAck: true })), got(await ch.get(q)));
  return obs;
});

scenario('nack and reject with requeue put messages back in queue order', async (env) => {
  const ch = await env.channel();
  const q = await filled(env, ch, ['1', '2', '3', '4', '5', '6', '7']);
  const ms: GetMessage[] = [];
  for (let i = 0; i < 6; i++) ms.push((await ch.get(q)) as GetMessage);
  const [m1, m2, , m4, m5, m6] = ms as GetMessage[];
  ch.reject(m5!, true);
  ch.nack(m2!, false, true);
  ch.ack(m1!);
  ch.nack(m4!, true, true); // 3 and 4
  ch.nack(m6!, false, false); // dropped
  await settle();
  return [await ch.checkQueue(q), await drain(ch, q)];
});

scenario('basic.recover redelivers unacked messages with the redelivered flag', async (env) => {
  const ch = await env.channel();
  const q = await filled(env, ch, ['a', 'b', 'c']);
  const c = await env.consume(ch, q, 3);
  ch.ack(c.got[1]!);
  await ch.recover();
  await until(() => c.got.length >= 5);
  return [c.got.map(seen), await ch.checkQueue(q)];
});

scenario('closing a channel requeues its unacked messages in order', async (env) => {
  const ch1 = await env.channel();
  const q = await filled(env, ch1, ['a', 'b', 'c', 'd']);
  const obs = [got(await ch1.get(q)), got(await ch1.get(q)), got(await ch1.get(q))];
  const c = await env.consume(ch1, q, 1);
  await ch1.close();
  const ch2 = await env.channel();
  obs.push(c.got.map(seen), await ch2.checkQueue(q), await drain(ch2, q));
  return obs;
});

scenario('an auto-delete queue goes when its last consumer does', async (env) => {
  const conn = await env.connect();
  const ch = await conn.channel();
  const q = (await ch.assertQueue(env.name('q'), { ...Q, autoDelete: true })).queue;
  const other = await conn.channel();
  const c1 = await ch.consume(q, () => {});
  const c2 = await other.consume(q, () => {});
  const obs: unknown[] = [await ch.checkQueue(q)];
  await ch.cancel(c1.consumerTag);
  obs.push(await ch.checkQueue(q));
  await other.close(); // the last consumer goes with its channel
  obs.push(c2.consumerTag !== '', await queueState(conn, q, (r) => code(r) === 404));
  const q2 = (await ch.assertQueue(env.name('never-consumed'), { ...Q, autoDelete: true })).queue;
  obs.push(await ch.checkQueue(q2));
  return obs;
});

scenario('exclusive queues are removed when their connection closes', async (env) => {
  const owner = await env.connect();
  const och = await owner.channel();
  const named = (await och.assertQueue(env.name('q'), { ...Q, exclusive: true })).queue;
  const generated = (await och.assertQueue('', { ...Q, exclusive: true })).queue;
  await och.bindQueue(named, 'amq.fanout', '');
  const other = await env.connect();
  const obs: unknown[] = [await outcome((await other.channel()).checkQueue(named))];
  await owner.close();
  obs.push(await queueState(other, named, (r) => code(r) === 404), await queueState(other, generated, (r) => code(r) === 404));
  const q = (await (await other.channel()).assertQueue(env.name('q'), Q)).queue;
  obs.push(q, await (await other.channel()).checkQueue(q));
  return obs;
});

scenario('tx: publishes and acks take effect at commit, not at rollback', async (env) => {
  const ch = await env.channel();
  const watcher = await env.channel();
  const q = await filled(env, watcher, []);
  const tx = (m: number, ok: number): Promise<unknown> => raw(ch).rpc(m, {}, ok);
  const count = async (): Promise<number> => {
    await settle(100);
    return (await watcher.checkQueue(q)).messageCount;
  };
  await tx(M.txSelect, M.txSelectOk);
  ch.sendToQueue(q, body('a'));
  ch.sendToQueue(q, body('b'));
  const obs: unknown[] = ['before commit', await count()];
  await tx(M.txCommit, M.txCommitOk);
  obs.push('after commit', await count());
  ch.sendToQueue(q, body('c'));
  await tx(M.txRollback, M.txRollbackOk);
  obs.push('after rollback', await count());
  const a = (await ch.get(q)) as GetMessage;
  ch.ack(a);
  await tx(M.txRollback, M.txRollbackOk);
  obs.push('ack rolled back', await count());
  ch.nack(a, false, true);
  obs.push('nack pending', await count());
  await tx(M.txCommit, M.txCommitOk);
  obs.push('nack committed', await count(), await drain(watcher, q));
  return obs;
});

scenario('tx: a mandatory publish is returned at commit', async (env) => {
  const ch = await env.channel();
  const events: string[] = [];
  ch.on('return', (m: Message) => events.push(returned(m)));
  await raw(ch).rpc(M.txSelect, {}, M.txSelectOk);
  ch.publish('amq.direct', env.name('nowhere'), body('m1'), { mandatory: true });
  await ch.checkExchange('amq.direct');
  events.push('before commit');
  await raw(ch).rpc(M.txCommit, {}, M.txCommitOk);
  events.push('commit-ok');
  ch.publish('amq.direct', env.name('nowhere'), body('m2'), { mandatory: true });
  await raw(ch).rpc(M.txRollback, {}, M.txRollbackOk);
  events.push('rollback-ok');
  await raw(ch).rpc(M.txCommit, {}, M.txCommitOk);
  events.push('commit-ok');
  return events;
});

scenario('priority queue: highest first, FIFO within a level, above the maximum counts as the maximum', async (env) => {
  const ch = await env.channel();
  const q = (await ch.assertQueue(env.name('q'), { ...Q, maxPriority: 5 })).queue;
  const sends: [string, number | undefined][] = [['p0-a', undefined], ['p3-a', 3], ['p9-a', 9], ['p5-a', 5], ['p3-b', 3], ['p0-b', 0], ['p9-b', 9]];
  for (const [b, priority] of sends) await env.send('', q, [b], priority === undefined ? {} : { priority });
  const first = (await ch.get(q)) as GetMessage;
  ch.nack(first, false, true);
  await settle();
  return [await ch.checkQueue(q), await drain(ch, q)];
});
