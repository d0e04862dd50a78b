/**
 * The publishing side of the basic class over real TCP: large bodies across many frames, publisher
 * confirms, mandatory returns, CC/BCC sender-selected routing, and transactions (tx.* with
 * @cloudamqp/amqp-client, which exposes them; amqplib does not).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  channel,
  cloudamqpConnect,
  Collector,
  confirmChannel,
  connect,
  nextError,
  nodeFor,
  publishConfirmed,
  queuesBoundByName,
  rejection,
  replyText,
  within,
} from './helpers.js';

const node = await nodeFor(t);

t.test('publishing to a missing exchange is 404', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const closed = nextError(ch);
  ch.publish('missing-x', 'k', Buffer.from('x'));
  const e = await closed;
  t.equal(e.code, 404);
  t.equal(replyText(e), "NOT_FOUND - no exchange 'missing-x' in vhost '/'");
});

t.test('a 1 MB body crosses many frames intact, both ways, at two frame sizes; an empty body too', async (t) => {
  const body = randomBytes(1 << 20);
  for (const [url, label] of [[node.url, 'frame_max 131072'], [`${node.url}?frameMax=8192`, 'frame_max 8192']] as const) {
    const ch = await confirmChannel(await connect(t, url));
    const q = `big-q-${label.replace(/\D/g, '')}`;
    await ch.assertQueue(q, { durable: false });
    await publishConfirmed(ch, '', q, body);
    await publishConfirmed(ch, '', q, body);
    const got = await within(ch.get(q, { noAck: true }), 'basic.get of 1 MB');
    t.ok(got && got.content.equals(body), `basic.get-ok body identical (${label})`);
    const c = await Collector.start(ch, q, { noAck: true });
    const [m] = await c.next(1);
    t.ok(m?.content.equals(body), `basic.deliver body identical (${label})`);
    await ch.cancel(c.tag);
    await publishConfirmed(ch, '', q, Buffer.alloc(0));
    const empty = await ch.get(q, { noAck: true });
    t.equal(empty && empty.content.length, 0, `an empty body (${label})`);
  }
});

t.test('publisher confirms: each publish acked exactly once, in order; unroutable ones too', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('confirm-q', { durable: false });
  const wire: { deliveryTag: number; multiple: boolean }[] = [];
  ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => wire.push(f));
  const nacks: unknown[] = [];
  ch.on('nack', (f: unknown) => nacks.push(f));
  const N = 500;
  const callbacks: number[] = [];
  for (let i = 1; i <= N; i++) ch.publish('', 'confirm-q', Buffer.from(String(i)), {}, (err: unknown) => callbacks.push(err ? -i : i));
  await within(ch.waitForConfirms(), 'all confirms');
  t.same(callbacks, Array.from({ length: N }, (_, i) => i + 1), 'every callback once, in publish order');
  let upTo = 0;
  const gaps: string[] = [];
  for (const a of wire) {
    if (a.deliveryTag <= upTo || (!a.multiple && a.deliveryTag !== upTo + 1)) gaps.push(`${JSON.stringify(a)} after ${upTo}`);
    upTo = a.deliveryTag;
  }
  t.same(gaps, [], 'acks on the wire never repeat or skip a tag');
  t.equal(upTo, N);
  t.match(await ch.checkQueue('confirm-q'), { messageCount: N });

  // unroutable publishes are confirmed too (RabbitMQ may ack them ahead of routed ones)
  callbacks.length = 0;
  for (let i = 1; i <= 50; i++) {
    const [x, key] = i % 5 === 0 ? ['amq.direct', 'nowhere'] : ['', 'confirm-q'];
    ch.publish(x, key, Buffer.from(String(i)), {}, (err: unknown) => callbacks.push(err ? -i : i));
  }
  await within(ch.waitForConfirms(), 'confirms of a mixed batch');
  t.same([...callbacks].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1), 'each confirmed once');
  t.same(nacks, []);
});

t.test('mandatory and unroutable: basic.return 312 NO_ROUTE, then the ack', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('mand-q', { durable: false });
  const events: string[] = [];
  ch.on('return', (m: { fields: { replyCode: number; replyText: string; exchange: string; routingKey: string }; content: Buffer }) =>
    events.push(`return ${m.fields.replyCode} ${m.fields.replyText} ${m.fields.exchange}/${m.fields.routingKey} ${m.content.toString()}`),
  );
  const publish = (key: string, body: string): Promise<void> =>
    within(new Promise((resolve) => ch.publish('amq.direct', key, Buffer.from(body), { mandatory: true }, () => resolve(void events.push(`ack ${body}`)))), 'ack');
  await publish('nowhere', 'lost');
  await ch.bindQueue('mand-q', 'amq.direct', 'here');
  await publish('here', 'kept');
  t.same(events, ['return 312 NO_ROUTE amq.direct/nowhere lost', 'ack lost', 'ack kept']);
});

t.test('CC and BCC add routing keys; BCC is stripped from every delivered copy', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await queuesBoundByName(ch, 'amq.direct', ['cc-main', 'cc-copy', 'cc-blind', 'cc-other']);
  await publishConfirmed(ch, 'amq.direct', 'cc-main', 'hello', { CC: ['cc-copy', 'cc-main'], BCC: 'cc-blind', headers: { keep: 'me' } });
  for (const q of ['cc-main', 'cc-copy', 'cc-blind']) {
    const m = await ch.get(q, { noAck: true });
    t.match(m, { content: Buffer.from('hello'), fields: { routingKey: 'cc-main', exchange: 'amq.direct' } }, `${q} got it`);
    const headers = (m && m.properties.headers) || {};
    t.same(headers, { keep: 'me', CC: ['cc-copy', 'cc-main'] }, `${q}: CC kept, BCC gone`);
    t.equal(await ch.get(q), false, `${q} got exactly one copy`);
  }
  t.equal(await ch.get('cc-other'), false);
});

t.test('user_id: the authenticated user passes through', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('uid-q', { durable: false });
  await publishConfirmed(ch, '', 'uid-q', 'me', { userId: 'guest' });
  t.match(await ch.get('uid-q', { noAck: true }), { properties: { userId: 'guest' } });
});

t.test('user_id naming another user is refused (406)', async (t) => {
  const ch = await channel(await connect(t, node.url));
  const closed = nextError(ch);
  ch.publish('amq.direct', 'nowhere', Buffer.from('forged'), { userId: 'someone' });
  const e = await closed;
  t.equal(e.code, 406);
  t.equal(replyText(e), "PRECONDITION_FAILED - user_id property set to 'someone' but authenticated user was 'guest'");
});

t.test('tx: publishes and acks take effect at commit; rollback drops them', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const tx = await conn.channel();
  await tx.queueDeclare('tx-q', { durable: false });
  const ready = async (): Promise<number> => (await tx.queueDeclare('tx-q', { passive: true })).messageCount;
  await tx.txSelect();
  await tx.basicPublish('', 'tx-q', 'p1');
  await tx.basicPublish('', 'tx-q', 'p2');
  t.equal(await ready(), 0, 'nothing before commit');
  await tx.txCommit();
  t.equal(await ready(), 2, 'both after commit');
  await tx.basicPublish('', 'tx-q', 'p3');
  await tx.txRollback();
  await tx.txCommit();
  t.equal(await ready(), 2, 'a rolled-back publish is gone');

  const [g1, g2] = [await tx.basicGet('tx-q', { noAck: false }), await tx.basicGet('tx-q', { noAck: false })];
  t.same([g1?.bodyString(), g2?.bodyString()], ['p1', 'p2']);
  await g1?.ack();
  await tx.txRollback(); // the ack of p1 is forgotten: p1 stays unacked
  await g2?.ack();
  await tx.txCommit();
  await tx.close(); // unacked p1 goes back
  const obs = await conn.channel();
  const back = await obs.basicGet('tx-q', { noAck: true });
  t.match({ body: back?.bodyString(), redelivered: back?.redelivered }, { body: 'p1', redelivered: true });
  t.equal(await obs.basicGet('tx-q', { noAck: true }), null, 'p2 was acked by the commit');
});

t.test('confirm and tx cannot share a channel (406)', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const txFirst = await conn.channel();
  await txFirst.txSelect();
  const e1 = await rejection(txFirst.confirmSelect());
  t.match(e1.message, /PRECONDITION_FAILED - cannot switch from tx to confirm mode \(406\)/);
  const confirmFirst = await conn.channel();
  await confirmFirst.confirmSelect();
  const e2 = await rejection(confirmFirst.txSelect());
  t.match(e2.message, /PRECONDITION_FAILED - cannot switch from confirm to tx mode \(406\)/);
});
