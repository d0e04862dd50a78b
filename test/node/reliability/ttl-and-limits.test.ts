/**
 * Message TTL, queue expiry and length limits over real TCP, set by queue arguments and by (operator)
 * policies applied in-process: expired messages are never delivered, the lower of two TTLs applies, TTL 0
 * means "now or never", x-expires deletes an unused queue, drop-head / reject-publish / reject-publish-dlx,
 * policies trimming live queues, how arguments, policies and operator policies combine, and policy
 * validation (PolicyError).
 */
import t from 'tap';
import { PolicyError } from '../../../node/broker/policies.js';
import {
  channel,
  closedWithin,
  Collector,
  confirmChannel,
  ConfirmLog,
  connect,
  deaths,
  depth,
  drain,
  getOne,
  nodeFor,
  policy,
  rejection,
  replyText,
  sleep,
  vhostOf,
  within,
} from './helpers.js';

const node = await nodeFor(t);
const Q = { durable: false } as const;
const publishAll = (ch: { sendToQueue(q: string, b: Buffer): boolean }, q: string, bodies: string[]) => bodies.forEach((b) => ch.sendToQueue(q, Buffer.from(b)));
const bodies = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

/** Asserts that a check made `since` ms ago still saw messages alive, unless a loaded machine made it too late. */
function whileAlive(t: { comment(...args: unknown[]): void }, since: number, ttl: number, check: () => void): void {
  if (Date.now() - since < ttl) check();
  else t.comment(`skipped a "still alive" check: ${Date.now() - since} ms passed, beyond the ${ttl} ms TTL`);
}

t.test('x-message-ttl: expired messages leave the count and are never delivered', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('ttl-q', { ...Q, messageTtl: 300 });
  const sub = await channel(conn);
  await sub.prefetch(1);
  const c = await Collector.start(sub, 'ttl-q');
  const sent = Date.now();
  publishAll(ch, 'ttl-q', ['1', '2', '3']);
  await within(ch.waitForConfirms(), 'confirms');
  const alive = await depth(ch, 'ttl-q');
  whileAlive(t, sent, 300, () => t.equal(alive, 2, 'the two behind the unacked one are counted while alive'));
  await c.next(1);
  await sleep(450);
  t.equal(await depth(ch, 'ttl-q'), 0, 'then they expired');
  sub.ack(c.messages[0]!);
  await sleep(100);
  t.same(c.bodies, ['1'], 'expired messages were never delivered');
});

t.test('per-message expiration expires a message; the lower of queue TTL and expiration applies', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('ttl-msg', Q);
  await ch.assertQueue('ttl-min-queue', { ...Q, messageTtl: 300 });
  await ch.assertQueue('ttl-min-msg', { ...Q, messageTtl: 10_000 });
  const sent = Date.now();
  ch.sendToQueue('ttl-msg', Buffer.from('short'), { expiration: '300' });
  ch.sendToQueue('ttl-min-queue', Buffer.from('queue ttl is lower'), { expiration: '10000' });
  ch.sendToQueue('ttl-min-msg', Buffer.from('expiration is lower'), { expiration: '300' });
  await within(ch.waitForConfirms(), 'confirms');
  const alive = [await depth(ch, 'ttl-msg'), await depth(ch, 'ttl-min-queue'), await depth(ch, 'ttl-min-msg')];
  whileAlive(t, sent, 300, () => t.same(alive, [1, 1, 1]));
  await sleep(450);
  t.same([await depth(ch, 'ttl-msg'), await depth(ch, 'ttl-min-queue'), await depth(ch, 'ttl-min-msg')], [0, 0, 0]);
});

t.test('per-message TTL is enforced at the head: a short one behind a long one stays counted, then is skipped', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('ttl-head', Q);
  ch.sendToQueue('ttl-head', Buffer.from('long'), { expiration: '60000' });
  ch.sendToQueue('ttl-head', Buffer.from('short'), { expiration: '50' });
  await within(ch.waitForConfirms(), 'confirms');
  await sleep(150);
  t.equal(await depth(ch, 'ttl-head'), 2, 'as RabbitMQ: still counted');
  t.same(await drain(ch, 'ttl-head'), ['long'], 'but never delivered');
});

t.test('an invalid per-message expiration closes the channel with 406, as RabbitMQ does', async (t) => {
  const conn = await connect(t, node.url);
  const cases: [string, string][] = [
    ['soon', 'no_integer'],
    ['-1', '{value_negative,-1}'],
    ['1.5', '{leftover_string,".5"}'],
  ];
  await Promise.all(
    cases.map(async ([expiration, why]) => {
      const ch = await channel(conn);
      await ch.assertQueue('ttl-bad-exp', Q);
      const closed = closedWithin(ch, 500);
      ch.sendToQueue('ttl-bad-exp', Buffer.from(expiration), { expiration });
      const e = await closed;
      t.equal(e?.code, 406, `expiration '${expiration}' refused`);
      t.equal(e ? replyText(e) : 'channel open', `PRECONDITION_FAILED - invalid expiration '${expiration}': ${why}`);
    }),
  );
});

t.test('a message-ttl policy applies to messages published after it, not to those already queued', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('ttl-late', Q);
  publishAll(ch, 'ttl-late', ['before 1', 'before 2']);
  await within(ch.waitForConfirms(), 'confirms');
  policy(t, node, 'policy', 'ttl-late', '^ttl-late$', { 'message-ttl': 50 });
  await sleep(150);
  t.equal(await depth(ch, 'ttl-late'), 2, 'as RabbitMQ: the expiry is fixed when a message is enqueued');
  await drain(ch, 'ttl-late');
  publishAll(ch, 'ttl-late', ['after']);
  await within(ch.waitForConfirms(), 'confirm');
  await sleep(300);
  t.equal(await depth(ch, 'ttl-late'), 0, 'a message published after the policy expires');
});

t.test('ttl 0: delivered to a consumer ready now, dropped otherwise', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('ttl-zero', { ...Q, messageTtl: 0 });
  ch.sendToQueue('ttl-zero', Buffer.from('nobody waiting'));
  await within(ch.waitForConfirms(), 'confirm');
  await sleep(20);
  t.equal(await depth(ch, 'ttl-zero'), 0, 'dropped without a consumer');
  const sub = await channel(conn);
  await sub.prefetch(1);
  const c = await Collector.start(sub, 'ttl-zero');
  ch.sendToQueue('ttl-zero', Buffer.from('taken at once'));
  await c.next(1);
  ch.sendToQueue('ttl-zero', Buffer.from('consumer busy'));
  await within(ch.waitForConfirms(), 'confirm');
  await sleep(20);
  sub.ack(c.messages[0]!);
  await sleep(100);
  t.same(c.bodies, ['taken at once'], 'the one arriving while the consumer was at its prefetch limit was dropped');
});

t.test('message-ttl via policy and operator policy: the lowest wins', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  for (const q of ['ttlpol-a', 'ttlpol-b', 'ttlpol-c']) await ch.assertQueue(q, Q);
  policy(t, node, 'policy', 'ttlpol-100', '^ttlpol-a$', { 'message-ttl': 100 });
  policy(t, node, 'policy', 'ttlpol-long', '^ttlpol-(b|c)$', { 'message-ttl': 10_000 });
  policy(t, node, 'operator-policy', 'ttlpol-op-long', '^ttlpol-(a|c)$', { 'message-ttl': 10_000 });
  policy(t, node, 'operator-policy', 'ttlpol-op-100', '^ttlpol-b$', { 'message-ttl': 100 });
  for (const q of ['ttlpol-a', 'ttlpol-b', 'ttlpol-c']) ch.sendToQueue(q, Buffer.from(q));
  await within(ch.waitForConfirms(), 'confirms');
  await sleep(400);
  t.same([await depth(ch, 'ttlpol-a'), await depth(ch, 'ttlpol-b'), await depth(ch, 'ttlpol-c')], [0, 0, 1]);
});

t.test('x-expires deletes a queue once unused, and not while a consumer is attached', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  const sub = await channel(conn);
  await ch.assertQueue('exp-idle', { ...Q, expires: 200 });
  await ch.assertQueue('exp-busy', { ...Q, expires: 200 });
  const c = await Collector.start(sub, 'exp-busy');
  await sleep(450);
  t.equal((await rejection((await channel(conn)).checkQueue('exp-idle'))).code, 404, 'the idle queue is gone');
  t.match(await ch.checkQueue('exp-busy'), { consumerCount: 1 }, 'the consumed one stays');
  await within(sub.cancel(c.tag), 'cancel');
  await sleep(450);
  t.equal((await rejection(ch.checkQueue('exp-busy'))).code, 404, 'gone once its consumer left');
});

t.test('x-max-length (drop-head) keeps the newest; x-max-length-bytes counts body bytes', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('lim-len', { ...Q, maxLength: 2 });
  await ch.assertQueue('lim-bytes', { ...Q, arguments: { 'x-max-length-bytes': 10 } });
  publishAll(ch, 'lim-len', bodies(5));
  publishAll(ch, 'lim-bytes', ['aaa1', 'aaa2', 'aaa3', 'aaa4']);
  await within(ch.waitForConfirms(), 'confirms');
  t.same(await drain(ch, 'lim-len'), ['4', '5']);
  t.same(await drain(ch, 'lim-bytes'), ['aaa3', 'aaa4'], '8 bytes fit in 10, 12 do not');
});

t.test('reject-publish: the overflowing publish is nacked and not queued', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const log = ConfirmLog.watch(ch);
  await ch.assertQueue('lim-reject', { ...Q, maxLength: 2, arguments: { 'x-overflow': 'reject-publish' } });
  publishAll(ch, 'lim-reject', ['a', 'b', 'c']);
  t.same((await log.settledCount(3)).map((c) => c.ok), [true, true, false]);
  t.same(await drain(ch, 'lim-reject'), ['a', 'b']);
  ch.sendToQueue('lim-reject', Buffer.from('d'));
  t.same((await log.settledCount(4))[3], { seq: 4, ok: true }, 'accepted again once there is room');
});

t.test('reject-publish-dlx: nacked and dead-lettered with reason maxlen', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const log = ConfirmLog.watch(ch);
  await ch.assertExchange('lim-rdlx-dlx', 'fanout', Q);
  await ch.assertQueue('lim-rdlx-dead', Q);
  await ch.bindQueue('lim-rdlx-dead', 'lim-rdlx-dlx', '');
  await ch.assertQueue('lim-rdlx', { ...Q, maxLength: 1, deadLetterExchange: 'lim-rdlx-dlx', arguments: { 'x-overflow': 'reject-publish-dlx' } });
  publishAll(ch, 'lim-rdlx', ['a', 'b']);
  t.same((await log.settledCount(2)).map((c) => c.ok), [true, false]);
  t.same(await drain(ch, 'lim-rdlx'), ['a']);
  const d = await getOne(ch, 'lim-rdlx-dead');
  t.equal(d.content.toString(), 'b');
  t.match(deaths(d)[0], { reason: 'maxlen', queue: 'lim-rdlx', count: 1 });
});

t.test('a policy lowering max-length trims a live queue at once', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('lim-live', Q);
  publishAll(ch, 'lim-live', bodies(5));
  await within(ch.waitForConfirms(), 'confirms');
  policy(t, node, 'policy', 'lim-live', '^lim-live$', { 'max-length': 2 });
  t.equal(await depth(ch, 'lim-live'), 2);
  t.same(await drain(ch, 'lim-live'), ['4', '5']);
});

t.test('max-length from a policy and from an argument: the lowest wins', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('limmix-arg5', { ...Q, maxLength: 5 });
  await ch.assertQueue('limmix-arg2', { ...Q, maxLength: 2 });
  policy(t, node, 'policy', 'limmix-5', '^limmix-arg2$', { 'max-length': 5 });
  policy(t, node, 'policy', 'limmix-2', '^limmix-arg5$', { 'max-length': 2 });
  for (const q of ['limmix-arg5', 'limmix-arg2']) publishAll(ch, q, bodies(6));
  await within(ch.waitForConfirms(), 'confirms');
  t.same([await depth(ch, 'limmix-arg5'), await depth(ch, 'limmix-arg2')], [2, 2]);
});

t.test('operator policies refuse ha-mode and unknown keys; policies refuse unknown keys (PolicyError)', async (t) => {
  const vhost = vhostOf(node);
  const attempt = (kind: 'policy' | 'operator-policy', name: string, definition: Record<string, unknown>) => () =>
    vhost.setPolicy(kind, { name, pattern: '^never$', applyTo: 'queues', priority: 0, definition });
  t.throws(attempt('operator-policy', 'op-ha', { 'ha-mode': 'all' }), PolicyError);
  t.throws(attempt('operator-policy', 'op-ha', { 'ha-mode': 'all' }), { message: /ha-mode/ });
  t.throws(attempt('operator-policy', 'op-bogus', { 'bogus-key': 1 }), { name: 'PolicyError', message: /bogus-key/ });
  t.throws(attempt('operator-policy', 'op-dlx', { 'dead-letter-exchange': 'x' }), PolicyError, 'DLX is not an operator key');
  t.throws(attempt('policy', 'user-bogus', { 'bogus-key': 1 }), { name: 'PolicyError', message: /bogus-key/ });
  t.throws(attempt('policy', 'user-bad-ttl', { 'message-ttl': -1 }), PolicyError);
  t.same([...vhost.operatorPolicies.keys(), ...vhost.policies.keys()].filter((n) => /^(op-|user-)/.test(n)), [], 'none was stored');
  t.doesNotThrow(attempt('policy', 'user-ha', { 'ha-mode': 'all' }), 'ha-mode is fine in a user policy');
  vhost.clearPolicy('policy', 'user-ha');
});

t.test('a policy applying to exchanges does not limit queues', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('limex-q', Q);
  policy(t, node, 'policy', 'limex', '^limex-', { 'max-length': 1 }, { applyTo: 'exchanges' });
  publishAll(ch, 'limex-q', bodies(3));
  await within(ch.waitForConfirms(), 'confirms');
  t.equal(await depth(ch, 'limex-q'), 3);
  t.equal(vhostOf(node).queues.get('limex-q')?.policy, null);
});

t.test('of two matching policies the higher priority one applies (not the lower value)', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('limprio-q', Q);
  policy(t, node, 'policy', 'limprio-low', '^limprio-', { 'max-length': 1 }, { priority: 1 });
  policy(t, node, 'policy', 'limprio-high', '^limprio-q$', { 'max-length': 3 }, { priority: 5 });
  publishAll(ch, 'limprio-q', bodies(5));
  await within(ch.waitForConfirms(), 'confirms');
  t.equal(await depth(ch, 'limprio-q'), 3);
  t.equal(vhostOf(node).queues.get('limprio-q')?.policy, 'limprio-high');
});
