/**
 * The connection handshake over real TCP: protocol header, connection.start, SASL PLAIN/AMQPLAIN, tune
 * limits, vhost, the handshake deadline and heartbeats, as RabbitMQ 3.10 does them (see
 * /work/shared/RABBITMQ-BEHAVIOUR.md).
 */
import t from 'tap';
import { FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT } from '../../../shared/amqp/index.js';
import { startTestNode } from '../../helpers/node.js';
import { declareMethod, encode, PROTOCOL_HEADER, publishMethod, rawClient, rawFrame, roundTrip, within, type HandshakeOptions, type RawClient, type TapTest } from '../../helpers/raw-client.js';

const node = await startTestNode();
t.teardown(() => node.close());

const RABBITMQ_CAPABILITIES = [
  'publisher_confirms', 'exchange_exchange_bindings', 'basic.nack', 'consumer_cancel_notify', 'connection.blocked',
  'consumer_priorities', 'authentication_failure_close', 'per_consumer_qos', 'direct_reply_to',
];

const client = (t: TapTest, port = node.port) => rawClient(t, port);

/** RabbitMQ holds a failed handshake ~3 s before closing the socket (Warren: 3 to 4 s, on its 1 s ticker). */
const HOLD_MS = [2900, 4500] as const;

/** A handshake the server must refuse: resolves with the connection.close it sent (answered with close-ok). */
async function refused(t: TapTest, o: HandshakeOptions): Promise<unknown> {
  const c = await client(t);
  await t.rejects(c.handshake(o), /server closed/, 'the handshake does not complete');
  return c.serverClose(6000);
}

/**
 * A handshake the server refuses without a word (more than the `closes` connection.close it already
 * sent): the socket is closed after the hold.
 */
async function silentlyRefused(t: TapTest, c: RawClient, what: string, closes = 0): Promise<void> {
  const at = Date.now();
  const closedAt = await c.waitClose(6000);
  t.ok(closedAt - at >= HOLD_MS[0] - 300 && closedAt - at <= HOLD_MS[1], `${what}: closed after ${closedAt - at} ms`);
  t.equal(c.methods().filter((m) => m.name === 'connection.close').length, closes, `${what}: no further connection.close`);
}

t.test('a wrong protocol header gets the 0-9-1 header back, then the socket is closed', async (t) => {
  const headers = { 'AMQP 0-9-2': 'AMQP\x00\x00\x09\x02', 'AMQP 1.0': 'AMQP\x00\x01\x00\x00', 'HTTP GET': 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' };
  for (const [what, bytes] of Object.entries(headers)) {
    const c = await client(t);
    c.send(bytes);
    await c.waitClose();
    t.same(c.headerReply, PROTOCOL_HEADER, `${what}: server replied AMQP 0 0 9 1`);
    t.equal(c.frames.length, 0, `${what}: and sent no frame`);
  }
});

t.test('the AMQP 0-9 header is answered as 0-9-1, as RabbitMQ does', async (t) => {
  const c = await client(t);
  c.send('AMQP\x01\x01\x00\x09');
  t.match(await c.waitFor('connection.start'), { versionMajor: 0, versionMinor: 9 });
  t.equal(c.headerReply.length, 0, 'no header sent back');
});

t.test('a protocol header split across writes is accepted', async (t) => {
  const c = await client(t);
  for (const b of PROTOCOL_HEADER) c.send(Buffer.from([b]));
  t.match(await c.waitFor('connection.start'), { versionMajor: 0, versionMinor: 9 });
});

t.test('connection.start and connection.tune: mechanisms, product, capabilities, limits', async (t) => {
  const c = await client(t);
  const { start, tune } = await c.handshake();
  t.match(start, { versionMajor: 0, versionMinor: 9 });
  t.equal(start.mechanisms.toString(), 'PLAIN AMQPLAIN');
  t.equal(start.locales.toString(), 'en_US');
  const props = start.serverProperties;
  t.equal(props['product'], 'Warren');
  t.type(props['version'], 'string');
  const caps = props['capabilities'] as Record<string, unknown>;
  t.type(caps, 'object', 'a capabilities table');
  for (const cap of ['publisher_confirms', 'basic.nack', 'consumer_cancel_notify', 'authentication_failure_close', 'exchange_exchange_bindings', 'per_consumer_qos']) {
    t.equal(caps[cap], true, `advertises ${cap}`);
  }
  for (const [cap, v] of Object.entries(caps)) {
    t.ok(RABBITMQ_CAPABILITIES.includes(cap) && v === true, `${cap} is a RabbitMQ capability, advertised as true`);
  }
  t.match(tune, { channelMax: 2047, frameMax: 131072, heartbeat: 60 }, 'RabbitMQ defaults');
});

t.test('PLAIN and AMQPLAIN logins succeed', async (t) => {
  for (const mechanism of ['PLAIN', 'AMQPLAIN'] as const) {
    const c = await client(t);
    await c.handshake({ mechanism });
    await c.openChannel(1);
    t.pass(`${mechanism}: connection and channel open`);
  }
});

t.test('a wrong password with authentication_failure_close: connection.close 403 naming no method (0/0)', async (t) => {
  for (const mechanism of ['PLAIN', 'AMQPLAIN'] as const) {
    const c = await client(t);
    const at = Date.now();
    await t.rejects(c.handshake({ mechanism, password: 'wrong', capabilities: { authentication_failure_close: true } }), /server closed/);
    t.ok(Date.now() - at < 1000, `${mechanism}: the close comes at once`);
    t.match(await c.waitFor('connection.close'), {
      replyCode: 403,
      replyText: `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`,
      classId: 0,
      methodId: 0,
    });
    c.sendMethod(0, { name: 'connection.close-ok' });
    await silentlyRefused(t, c, `${mechanism}: the socket, even after close-ok,`, 1);
  }
});

t.test('a wrong password without authentication_failure_close: no close frame, the socket closed after ~3 s', async (t) => {
  const c = await client(t);
  c.send(PROTOCOL_HEADER);
  await c.waitFor('connection.start');
  c.sendMethod(0, { name: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0wrong'), locale: 'en_US' });
  await silentlyRefused(t, c, 'wrong password');
  t.same(c.methods().map((m) => m.name), ['connection.start']);
  t.equal(await roundTrip(node.url), 'still serving', 'the hold blocks nothing else');
});

t.test('an unknown user is refused like a wrong password', async (t) => {
  const close = await refused(t, { user: 'nobody', capabilities: { authentication_failure_close: true } });
  t.match(close, { replyCode: 403, classId: 0, methodId: 0 });
});

t.test('SASL: an unknown mechanism or a malformed response closes without a word after ~3 s, as RabbitMQ', async (t) => {
  const noPassword = encode((w) => w.table({ LOGIN: 'guest' })).subarray(4);
  const cases: [string, string, Buffer][] = [
    ['unknown mechanism', 'EXTERNAL', Buffer.from('\0guest\0guest')],
    ['PLAIN without NULs', 'PLAIN', Buffer.from('guest guest')],
    ['AMQPLAIN without PASSWORD', 'AMQPLAIN', noPassword],
  ];
  await Promise.all(
    cases.map(async ([what, mechanism, response]) => {
      const c = await client(t);
      c.send(PROTOCOL_HEADER);
      await c.waitFor('connection.start');
      c.sendMethod(0, { name: 'connection.start-ok', clientProperties: { capabilities: { authentication_failure_close: true } }, mechanism, response, locale: 'en_US' });
      await silentlyRefused(t, c, what);
    }),
  );
});

t.test('before tune-ok, frames are held to 4096 bytes: a larger start-ok closes without a word', async (t) => {
  const c = await client(t);
  c.send(PROTOCOL_HEADER);
  await c.waitFor('connection.start');
  const clientProperties = { product: 'x'.repeat(5000) };
  c.sendMethod(0, { name: 'connection.start-ok', clientProperties, mechanism: 'PLAIN', response: Buffer.from('\0guest\0guest'), locale: 'en_US' });
  await silentlyRefused(t, c, '5 KB start-ok');
  const fits = await client(t);
  await fits.handshake({ capabilities: { big: 'x'.repeat(3500) } });
  t.pass('a 3.5 KB start-ok is fine');
});

t.test('a wrong connection method during the handshake closes without a word', async (t) => {
  const c = await client(t);
  await c.login();
  c.sendMethod(0, { name: 'connection.open', virtualHost: '/', capabilities: '', insist: false });
  await silentlyRefused(t, c, 'connection.open before tune-ok');
});

t.test('a channel frame after tune-ok, before connection.open: 505 showing the frame', async (t) => {
  const c = await client(t);
  const { tune } = await c.login();
  c.sendMethod(0, { ...tune, name: 'connection.tune-ok' });
  c.sendMethod(1, { name: 'channel.open', outOfBand: '' });
  t.match(await c.serverClose(), { replyCode: 505, replyText: 'UNEXPECTED_FRAME - type 1, all octets = <<0,20,0,10,0>>', classId: 0, methodId: 0 });
});

t.test('a wrong method after tune-ok: 504 naming the connection state', async (t) => {
  const c = await client(t);
  const { tune } = await c.login();
  c.sendMethod(0, { ...tune, name: 'connection.tune-ok' });
  c.sendMethod(0, { ...tune, name: 'connection.tune-ok' });
  t.match(await c.serverClose(), { replyCode: 504, replyText: 'CHANNEL_ERROR - unexpected method in connection state opening', classId: 10, methodId: 31 });
});

t.test('an unknown vhost, or a vhost the user has no permission on: 530 NOT_ALLOWED', async (t) => {
  t.match(await refused(t, { vhost: '/nope' }), { replyCode: 530, replyText: 'NOT_ALLOWED - vhost /nope not found', classId: 10, methodId: 40 });
  node.node.broker.addUser('bob', 'bobpw');
  t.match(await refused(t, { user: 'bob', password: 'bobpw' }), {
    replyCode: 530, replyText: "NOT_ALLOWED - access to vhost '/' refused for user 'bob'", classId: 10, methodId: 40,
  });
});

t.test('tune-ok refused as RabbitMQ refuses it (out of bounds, or 0): 530 with its text, naming connection.tune', async (t) => {
  const cases: [NonNullable<HandshakeOptions['tuneOk']>, string][] = [
    [{ frameMax: 1000 }, 'negotiated frame_max = 1000 is lower than the minimum allowed value (4096)'],
    [{ frameMax: 131073 }, 'negotiated frame_max = 131073 is higher than the maximum allowed value (131072)'],
    [{ frameMax: 0 }, 'negotiated frame_max = 0 is higher than the maximum allowed value (131072)'],
    [{ channelMax: 2048 }, 'negotiated channel_max = 2048 is higher than the maximum allowed value (2047)'],
    [{ channelMax: 0 }, 'negotiated channel_max = 0 (no limit) is higher than the maximum allowed value (2047)'],
  ];
  await Promise.all(
    cases.map(async ([tuneOk, text]) => t.match(await refused(t, { tuneOk }), { replyCode: 530, replyText: `NOT_ALLOWED - ${text}`, classId: 10, methodId: 30 }, text)),
  );
});

t.test('tune-ok within bounds: channel_max 10 allows channel 10, and 4096 is the smallest frame_max', async (t) => {
  const ten = await client(t);
  await ten.handshake({ tuneOk: { channelMax: 10, frameMax: 4096 } });
  await ten.openChannel(10);
  t.pass('channel 10 opened');
});

t.test('a client frame_max of 8192 is honoured in both directions', async (t) => {
  const c = await client(t);
  await c.handshake({ tuneOk: { frameMax: 8192 } });
  await c.openChannel(1);
  c.sendMethod(1, declareMethod('', { exclusive: true }));
  const { queue } = await c.waitFor('queue.declare-ok');
  const body = Buffer.from(Array.from({ length: 20 * 1024 }, (_, i) => i % 251));
  c.sendMethod(1, publishMethod(queue));
  c.sendContent(1, body, {}, 8192);
  c.sendMethod(1, { name: 'basic.get', ticket: 0, queue, noAck: true });
  await c.waitFor('basic.get-ok');
  await c.waitFrame((f) => f.type === FRAME_HEADER, 'content header');
  const parts: Buffer[] = [];
  while (Buffer.concat(parts).length < body.length) parts.push((await c.waitFrame((f) => f.type === FRAME_BODY, 'body frame')).payload);
  t.ok(Buffer.concat(parts).equals(body), 'the 20 KB body arrives intact');
  t.same(parts.map((p) => p.length + 8), [8192, 8192, 20 * 1024 - 2 * 8184 + 8], 'in frames of at most 8192 bytes');
  t.ok(c.frames.every((f) => f.payload.length + 8 <= 8192), 'no frame from the server exceeds 8192 bytes');
});

t.test('handshake deadline', async (t) => {
  const slow = await startTestNode({ handshakeTimeout: 300 });
  t.teardown(() => slow.close());
  const silent = await client(t, slow.port);
  const at = Date.now();
  const closedAt = await silent.waitClose(2500);
  t.ok(closedAt - at >= 250 && closedAt - at <= 1500, `silent client closed after ${closedAt - at} ms`);
  const stuck = await client(t, slow.port);
  stuck.send(PROTOCOL_HEADER);
  await stuck.waitFor('connection.start');
  await stuck.waitClose(2500);
  t.pass('a client that stops after the protocol header is closed too');
  const ok = await client(t, slow.port);
  await ok.handshake();
  await new Promise((r) => setTimeout(r, 1200));
  t.notOk(ok.isClosed, 'an opened connection is not subject to the deadline');
});

t.test('heartbeat 1, then silence: the server closes the connection', async (t) => {
  const c = await client(t);
  await c.handshake({ tuneOk: { heartbeat: 1 } });
  const at = Date.now();
  const closedAt = await c.waitClose(5000);
  t.ok(closedAt - at >= 1500 && closedAt - at <= 4000, `closed after ${closedAt - at} ms (2 missed heartbeats)`);
});

t.test('heartbeat 1: a heartbeating client stays connected, and the idle server heartbeats too', async (t) => {
  const c = await client(t);
  await c.handshake({ tuneOk: { heartbeat: 1 } });
  const beat = setInterval(() => c.send(rawFrame(FRAME_HEARTBEAT, 0, Buffer.alloc(0))), 400);
  t.teardown(() => clearInterval(beat));
  await new Promise((r) => setTimeout(r, 3500));
  clearInterval(beat);
  t.notOk(c.isClosed, 'still connected after 3.5 s');
  await within(2000, c.openChannel(1), 'channel.open after heartbeating');
  const beats = c.frames.filter((f) => f.type === FRAME_HEARTBEAT);
  t.ok(beats.length >= 2, `server sent ${beats.length} heartbeats in 3.5 s`);
  t.ok(beats.every((f) => f.channel === 0 && f.payload.length === 0), 'on channel 0 with an empty payload');
});

t.test('heartbeat 0 disables heartbeats: a silent client is kept', async (t) => {
  const c = await client(t);
  await c.handshake({ tuneOk: { heartbeat: 0 } });
  await new Promise((r) => setTimeout(r, 2500));
  t.notOk(c.isClosed);
  t.equal(c.frames.filter((f) => f.type === FRAME_HEARTBEAT).length, 0, 'and the server sends none');
});
