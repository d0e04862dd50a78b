/**
 * Closing over real TCP: the client's and the server's close handshakes for connections and channels,
 * node shutdown (320), exclusive queues going with their connection, and connection.update-secret.
 */
import amqplib from 'amqplib';
import t from 'tap';
import { startTestNode } from '../../helpers/node.js';
import { FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from '../../../shared/amqp/index.js';
import { declareMethod, headerPayload, methodFrame, publishMethod, rawClient, RawClient, rawFrame, roundTrip, within, type TapTest } from '../../helpers/raw-client.js';

const node = await startTestNode();
t.teardown(() => node.close());

async function amqp(t: TapTest, url = node.url): Promise<amqplib.ChannelModel> {
  const conn = await within(3000, amqplib.connect(url), 'amqplib connect');
  conn.on('error', () => {}); // closes under test are expected
  t.teardown(() => conn.close().catch(() => {}));
  return conn;
}

/** Passive queue.declare on `ch`: 200 if the queue is there, else the channel.close code (the channel is then reopened). */
async function probeQueue(c: RawClient, ch: number, queue: string): Promise<number> {
  c.sendMethod(ch, declareMethod(queue, { passive: true }));
  const f = await c.waitFrame((f) => f.channel === ch && ['queue.declare-ok', 'channel.close'].includes(f.method?.name ?? ''), `declare of ${queue}`);
  if (f.method?.name !== 'channel.close') return 200;
  c.sendMethod(ch, { name: 'channel.close-ok' });
  await c.openChannel(ch);
  return f.method.replyCode;
}

/** Polls until `probe` returns `want` (bounded), returning the last value seen. */
async function eventually<T>(want: T, probe: () => Promise<T>, ms = 1500): Promise<T> {
  const deadline = Date.now() + ms;
  let got = await probe();
  while (got !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    got = await probe();
  }
  return got;
}

t.test('client connection.close: close-ok, then the server closes the socket', async (t) => {
  const c = await rawClient(t, node.port, {});
  c.sendMethod(0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
  await c.waitFor('connection.close-ok', { channel: 0 });
  await c.waitClose();
  const conn = await amqp(t);
  await conn.createChannel();
  await within(3000, conn.close(), 'amqplib close');
  t.pass('amqplib closes cleanly');
});

t.test('simultaneous close: a client close while the server awaits its close-ok is answered', async (t) => {
  const c = await rawClient(t, node.port, {});
  c.sendMethod(1, { name: 'channel.flow', active: false });
  t.match(await c.waitFor('connection.close'), { replyCode: 540 });
  c.sendMethod(0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
  await c.waitFor('connection.close-ok');
  c.sendMethod(0, { name: 'connection.close-ok' });
  await c.waitClose();
});

t.test('after the server close, other frames are discarded and close-ok ends the connection at once', async (t) => {
  const content = [methodFrame(1, publishMethod('q')), rawFrame(FRAME_HEADER, 1, headerPayload(3)), rawFrame(FRAME_BODY, 1, Buffer.from('abc'))];
  const variants = {
    'publish, content and a heartbeat': [...content, rawFrame(FRAME_HEARTBEAT, 0, Buffer.alloc(0))],
    'a frame of unknown type 9': [rawFrame(9, 1, Buffer.from('zz'))],
    'a content header on channel 0': [rawFrame(FRAME_HEADER, 0, headerPayload(3))],
    'a truncated method on channel 0': [rawFrame(FRAME_METHOD, 0, Buffer.from([0, 10]))],
  };
  for (const [what, frames] of Object.entries(variants)) {
    const c = await rawClient(t, node.port, {});
    c.sendMethod(1, { name: 'channel.flow', active: false });
    await c.waitFor('connection.close');
    const at = Date.now();
    c.send(Buffer.concat([...frames, methodFrame(0, { name: 'connection.close-ok' })]));
    const closedAt = await c.waitClose(6000);
    t.ok(closedAt - at < 1000, `${what}, then close-ok: socket closed after ${closedAt - at} ms`);
    t.equal(c.methods().filter((m) => m.name === 'connection.close').length, 1, `${what}: no second close`);
  }
});

t.test('a client that never answers the server close is disconnected after a grace period', async (t) => {
  const c = await rawClient(t, node.port, {});
  c.sendMethod(1, { name: 'basic.recover', requeue: false });
  await c.waitFor('connection.close');
  const at = Date.now();
  const closedAt = await c.waitClose(6000);
  t.ok(closedAt - at <= 5000, `socket closed ${closedAt - at} ms after the unanswered close`);
});

t.test('channel error 406: channel.close, frames ignored until close-ok, then the channel reopens', async (t) => {
  const c = await rawClient(t, node.port, {});
  await c.openChannel(2);
  c.sendMethod(1, { name: 'basic.ack', deliveryTag: 99, multiple: false });
  t.match(await c.waitFor('channel.close', { channel: 1 }), {
    replyCode: 406, replyText: 'PRECONDITION_FAILED - unknown delivery tag 99', classId: 60, methodId: 80,
  });
  c.sendMethod(1, declareMethod('ignored-q'));
  c.sendMethod(1, { name: 'channel.close-ok' });
  await c.openChannel(1);
  t.equal(await probeQueue(c, 1, 'ignored-q'), 404, 'the declare sent while closing was ignored');
  t.equal(c.methods(1).filter((m) => m.name === 'queue.declare-ok').length, 0, 'and got no reply');
  t.equal(await probeQueue(c, 2, 'ignored-q'), 404, 'channel 2 was not affected');
  t.notOk(c.isClosed, 'the connection stayed open');
});

t.test('amqplib: after a channel error the same channel number is reused', async (t) => {
  const conn = await amqp(t);
  const ch = await conn.createChannel();
  const number = (ch as unknown as { ch: number }).ch;
  ch.on('error', () => {}); // the 406 is expected
  const closed = new Promise((resolve) => ch.once('close', resolve));
  ch.ack({ fields: { deliveryTag: 7 } } as amqplib.Message);
  await within(3000, closed, 'channel close');
  const again = await conn.createChannel();
  t.equal((again as unknown as { ch: number }).ch, number, `channel ${number} reopened`);
  const { queue } = await again.assertQueue('', { exclusive: true });
  t.match(queue, /^amq\.gen-/);
});

t.test('node.close(): 320 CONNECTION_FORCED to every open client, and it finishes', async (t) => {
  const n = await startTestNode();
  t.teardown(() => n.close());
  const raw = await rawClient(t, n.port, {});
  const silent = await rawClient(t, n.port, {}); // never answers the close
  const conn = await amqp(t, n.url);
  const amqplibClosed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
  const closing = n.close();
  t.match(await raw.serverClose(), {
    replyCode: 320, replyText: "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", classId: 0, methodId: 0,
  });
  const err = await within(3000, amqplibClosed, 'amqplib close event');
  t.match(err?.message, /320/, 'amqplib saw 320');
  t.match(await silent.waitFor('connection.close'), { replyCode: 320 });
  await within(2500, closing, 'node.close() with a client that does not answer');
  await silent.waitClose(1000);
  await t.rejects(RawClient.connect(n.port), 'no longer accepting connections');
});

t.test('exclusive queues vanish when their connection closes', async (t) => {
  const probe = await rawClient(t, node.port, {});
  const owner = await amqp(t);
  await (await owner.createChannel()).assertQueue('excl-q', { exclusive: true });
  t.equal(await probeQueue(probe, 1, 'excl-q'), 405, 'locked while the owner is connected');
  t.match(probe.methods(1).find((m) => m.name === 'channel.close'), {
    replyText: /^RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'excl-q' in vhost '\/'/,
  });
  await owner.close();
  t.equal(await eventually(404, () => probeQueue(probe, 1, 'excl-q')), 404, 'gone after connection.close');

  const abrupt = await rawClient(t, node.port, {});
  abrupt.sendMethod(1, declareMethod('excl-raw', { exclusive: true }));
  await abrupt.waitFor('queue.declare-ok');
  abrupt.destroy();
  t.equal(await eventually(404, () => probeQueue(probe, 1, 'excl-raw')), 404, 'gone after the socket dropped');
});

t.test('connection.update-secret', async (t) => {
  const conn = await amqp(t);
  await within(3000, conn.updateSecret(Buffer.from('guest'), 'rotation'), 'update-secret-ok');
  t.pass('the right password: update-secret-ok (amqplib)');
  const c = await rawClient(t, node.port, {});
  c.sendMethod(0, { name: 'connection.update-secret', newSecret: Buffer.from('guest'), reason: 'rotation' });
  await c.waitFor('connection.update-secret-ok');
  // RabbitMQ's internal user store checks nothing here: any secret is accepted and the user is kept
  c.sendMethod(0, { name: 'connection.update-secret', newSecret: Buffer.from('wrong'), reason: 'rotation' });
  await c.waitFor('connection.update-secret-ok');
  c.sendMethod(1, declareMethod('after-secret-q', { exclusive: true }));
  t.match(await c.waitFor('queue.declare-ok', { channel: 1 }), { queue: 'after-secret-q' }, 'a wrong one: update-secret-ok, and the connection goes on');
  t.notOk(c.isClosed);
  t.equal(await roundTrip(node.url), 'still serving', 'and the password is unchanged');
});
