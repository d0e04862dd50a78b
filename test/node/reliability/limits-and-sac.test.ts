/**
 * Length limits and single active consumer where Warren once parted from RabbitMQ 3.10, over real TCP:
 * a requeue over a drop-head limit dead-letters the head (maxlen); a lower max-length from a policy trims
 * a drop-head queue only; an exclusive consumer on a single-active-consumer queue is 403; the waiting
 * consumer with the highest x-priority (the earliest of that level) takes over; argument errors name
 * RabbitMQ's field types. Each case also runs differentially when RabbitMQ is reachable.
 */
import t from 'tap';
import type { Channel, ConfirmChannel } from 'amqplib';
import { failure, outcome, scenario, settle, type Env } from '../../differential/harness.js';
import { mgmtScenario, type Mgmt } from '../../differential/mgmt.js';
import { Collector, channel, confirmChannel, connect, deaths, depth, drain, getOne, nodeFor, policy, rejection, replyText, sleep, within } from './helpers.js';

const node = await nodeFor(t);
const Q = { durable: false } as const;

/**
 * A queue limited to 2 (overflow as given) dead-lettering to `<q>-dead`: m1 and m2 queued, m1 taken, m3
 * published, then m1 nacked back. Returns what is ready, and what was dead-lettered with which reason.
 */
async function requeueOverLimit(ch: ConfirmChannel, q: string, overflow: string): Promise<{ ready: string[]; dead: string[] }> {
  await ch.assertQueue(`${q}-dead`, Q);
  await ch.assertQueue(q, { ...Q, arguments: { 'x-max-length': 2, 'x-overflow': overflow, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${q}-dead` } });
  for (const b of ['m1', 'm2']) ch.sendToQueue(q, Buffer.from(b));
  await within(ch.waitForConfirms(), 'confirms');
  const m1 = await getOne(ch, q);
  ch.sendToQueue(q, Buffer.from('m3'));
  await within(ch.waitForConfirms(), 'confirms');
  ch.nack(m1, false, true);
  await sleep(100);
  const dead: string[] = [];
  for (let m = await ch.get(`${q}-dead`, { noAck: true }); m; m = await ch.get(`${q}-dead`, { noAck: true })) dead.push(`${m.content}:${deaths(m)[0]?.['reason']}`);
  return { ready: await drain(ch, q), dead };
}

t.test('a requeue over a drop-head limit dead-letters the head with reason maxlen', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  t.same(await requeueOverLimit(ch, 'rq-drop', 'drop-head'), { ready: ['m2', 'm3'], dead: ['m1:maxlen'] });
});

t.test('a requeue over a reject-publish limit trims nothing', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  t.same(await requeueOverLimit(ch, 'rq-reject', 'reject-publish'), { ready: ['m1', 'm2', 'm3'], dead: [] });
  t.same(await requeueOverLimit(ch, 'rq-reject-dlx', 'reject-publish-dlx'), { ready: ['m1', 'm2', 'm3'], dead: [] });
});

scenario('a requeue over a length limit: drop-head dead-letters the head, reject-publish keeps all', async (env) => {
  const ch = await (await env.connect()).confirmChannel();
  return Promise.all(['drop-head', 'reject-publish', 'reject-publish-dlx'].map((o) => requeueOverLimit(ch, env.name(`rq-${o}`), o)));
});

/** Queues `<prefix>-<overflow>` with 5 messages each, dead-lettering to `<prefix>.dead` (which `^<prefix>-` misses). */
async function fiveEach(ch: ConfirmChannel, prefix: string): Promise<string[]> {
  await ch.assertQueue(`${prefix}.dead`, Q);
  const queues = ['drop-head', 'reject-publish', 'reject-publish-dlx'].map((o) => `${prefix}-${o}`);
  for (const q of queues) {
    await ch.assertQueue(q, { ...Q, arguments: { 'x-overflow': q.slice(prefix.length + 1), 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${prefix}.dead` } });
    for (let i = 1; i <= 5; i++) ch.sendToQueue(q, Buffer.from(`${i}`));
  }
  await within(ch.waitForConfirms(), 'confirms');
  return queues;
}

t.test('a lower max-length from a policy trims a drop-head queue only', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const queues = await fiveEach(ch, 'lower');
  policy(t, node, 'policy', 'lower-to-2', '^lower-', { 'max-length': 2 });
  await sleep(50);
  t.same(await Promise.all(queues.map((q) => depth(ch, q))), [2, 5, 5], 'drop-head, reject-publish, reject-publish-dlx');
  t.same(await drain(ch, 'lower.dead'), ['1', '2', '3'], 'what drop-head trimmed was dead-lettered');
});

mgmtScenario('a lower max-length from a policy trims a drop-head queue only', async (env: Env, mgmt: Mgmt) => {
  const ch = await (await env.connect()).confirmChannel();
  const prefix = env.name('lower');
  const queues = await fiveEach(ch, prefix);
  const put = await mgmt.policy('policies', 'lower-to-2', { pattern: `^${prefix}-`, definition: { 'max-length': 2 }, 'apply-to': 'queues' });
  await settle(500);
  return [put.status, await Promise.all(queues.map(async (q) => (await ch.checkQueue(q)).messageCount)), await drain(ch, `${prefix}.dead`)];
});

const SAC = { ...Q, arguments: { 'x-single-active-consumer': true } };

t.test('an exclusive consumer on a single-active-consumer queue: 403, even with no other consumer', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('sac-excl', SAC);
  const e = await rejection((await channel(conn)).consume('sac-excl', () => {}, { exclusive: true }));
  t.equal(e.code, 403);
  t.equal(replyText(e), "ACCESS_REFUSED - queue 'sac-excl' in vhost '/' in exclusive use");
  await Collector.start(await channel(conn), 'sac-excl');
  t.equal((await rejection((await channel(conn)).consume('sac-excl', () => {}, { exclusive: true }))).code, 403, 'nor with one');
});

scenario('an exclusive consumer on a single-active-consumer queue is refused', async (env) => {
  const conn = await env.connect();
  const q = env.name('sac-excl');
  await (await conn.channel()).assertQueue(q, SAC);
  const alone = await outcome((await conn.channel()).consume(q, () => {}, { exclusive: true }));
  await (await conn.channel()).consume(q, () => {});
  const second = await outcome((await conn.channel()).consume(q, () => {}, { exclusive: true }));
  return [alone, second].map((r) => (typeof r === 'object' && r !== null && 'consumerTag' in r ? 'consume-ok' : r));
});

/**
 * Consumers with these x-priority values, each on its own channel, attach to a single-active-consumer
 * queue in order; then, `handovers` times, one message is published and the active consumer leaves (by
 * basic.cancel, or by closing its channel). Returns who got each message: `c<n>:<body>`.
 */
async function handovers(ch: Channel, open: () => Promise<Channel>, q: string, priorities: number[], leave: 'cancel' | 'close'): Promise<string[]> {
  await ch.assertQueue(q, SAC);
  const got: string[] = [];
  const consumers: { ch: Channel; tag: string }[] = [];
  for (const [i, priority] of priorities.entries()) {
    const c = await open();
    const tag = (await c.consume(q, (m) => m && got.push(`c${i + 1}:${m.content}`), { noAck: true, priority })).consumerTag;
    consumers.push({ ch: c, tag });
  }
  for (let round = 0; round < priorities.length; round++) {
    ch.sendToQueue(q, Buffer.from(`m${round}`));
    await sleep(100);
    const active = consumers[Number(/^c(\d+)/.exec(got[round] ?? '')?.[1] ?? 0) - 1];
    if (!active) break;
    if (leave === 'cancel') await active.ch.cancel(active.tag);
    else await active.ch.close();
    await sleep(50);
  }
  return got;
}

const PRIORITIES = [
  [0, 0, 10],
  [0, 10, 5],
  [5, 10, 10, -1],
];

t.test('single active consumer: the waiting consumer with the highest priority takes over, the earliest of that level', async (t) => {
  const conn = await connect(t, node.url);
  const open = () => channel(conn);
  const ch = await open();
  t.same(await handovers(ch, open, 'sac-prio-a', PRIORITIES[0]!, 'cancel'), ['c1:m0', 'c3:m1', 'c2:m2']);
  t.same(await handovers(ch, open, 'sac-prio-b', PRIORITIES[1]!, 'cancel'), ['c1:m0', 'c2:m1', 'c3:m2']);
  t.same(await handovers(ch, open, 'sac-prio-c', PRIORITIES[2]!, 'close'), ['c1:m0', 'c2:m1', 'c3:m2', 'c4:m3'], 'a later higher priority does not take over from the active one');
});

scenario('single active consumer: who takes over when the active consumer leaves', async (env) => {
  const conn = await env.connect();
  const ch = await conn.channel();
  const out: unknown[] = [];
  for (const [i, p] of PRIORITIES.entries()) {
    for (const leave of ['cancel', 'close'] as const) out.push(await handovers(ch, () => conn.channel(), env.name(`sac-${i}-${leave}`), p, leave));
  }
  return out;
});

/** The reply to declaring a queue with these arguments on a fresh channel. */
async function declared(open: () => Promise<Channel>, q: string, args: Record<string, unknown>): Promise<unknown> {
  return (await open()).assertQueue(q, { ...Q, arguments: args }).then(
    () => 'declare-ok',
    (e) => failure(e).text,
  );
}

const BAD_ARGUMENTS: [string, Record<string, unknown>][] = [
  ['sac-number', { 'x-single-active-consumer': 1 }],
  ['sac-string', { 'x-single-active-consumer': 'yes' }],
  ['mode-bogus', { 'x-queue-mode': 'bogus' }],
  ['mode-number', { 'x-queue-mode': 5 }],
  ['overflow-number', { 'x-overflow': 5 }],
  ['overflow-bogus', { 'x-overflow': 'bogus' }],
];

t.test("argument errors name RabbitMQ's field types and words", async (t) => {
  const conn = await connect(t, node.url);
  const got = await Promise.all(BAD_ARGUMENTS.map(([q, args]) => declared(() => channel(conn), `arg-${q}`, args)));
  const reason = (q: string, arg: string, why: string) => `PRECONDITION_FAILED - invalid arg '${arg}' for queue 'arg-${q}' in vhost '/': ${why}`;
  t.same(got, [
    reason('sac-number', 'x-single-active-consumer', '{unacceptable_type,byte}'),
    reason('sac-string', 'x-single-active-consumer', '{unacceptable_type,longstr}'),
    reason('mode-bogus', 'x-queue-mode', `"unsupported queue mode 'bogus'"`),
    reason('mode-number', 'x-queue-mode', '{unacceptable_type,byte}'),
    reason('overflow-number', 'x-overflow', '{unacceptable_type,byte}'),
    reason('overflow-bogus', 'x-overflow', 'invalid_overflow'),
  ]);
});

scenario('argument errors: field types and words', async (env) => {
  const conn = await env.connect();
  return Promise.all(BAD_ARGUMENTS.map(([q, args]) => declared(() => conn.channel(), env.name(q), args)));
});
