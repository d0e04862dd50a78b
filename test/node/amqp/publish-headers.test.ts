/**
 * Message headers as RabbitMQ 3.10 takes them, over real TCP: CC and BCC must be arrays (406 otherwise,
 * with RabbitMQ's text), and the 'L' field type is accepted and kept (re-encoded as 'l' when the broker
 * rewrites the headers, as RabbitMQ does).
 */
import t from 'tap';
import { FRAME_HEADER, type FieldTable } from '../../../shared/amqp/index.js';
import { startTestNode } from '../../helpers/node.js';
import { declareMethod, encode, methodFrame, publishMethod, rawClient, rawFrame, type RawClient } from '../../helpers/raw-client.js';
import { channel, connect, nextError, replyText } from '../broker/helpers.js';

const node = await startTestNode();
t.teardown(() => node.close());

t.test('CC or BCC of another type than an array: 406 naming the header and the field type', async (t) => {
  const conn = await connect(t, node.url);
  const cases: [FieldTable, string][] = [
    [{ CC: 'q2' }, '{unacceptable_type_in_header,"CC",longstr}'],
    // amqplib sends a small integer as a byte ('b'), and RabbitMQ names the type it received
    [{ BCC: 7 }, '{unacceptable_type_in_header,"BCC",byte}'],
    [{ CC: { k: 'v' } }, '{unacceptable_type_in_header,"CC",table}'],
    [{ CC: ['ok'], BCC: true }, '{unacceptable_type_in_header,"BCC",bool}'],
  ];
  for (const [headers, why] of cases) {
    const ch = await channel(conn);
    const closed = nextError(ch);
    ch.publish('', 'nowhere', Buffer.from('m'), { headers });
    const e = await closed;
    t.match(e, { code: 406, classId: 60, methodId: 40 }, why);
    t.equal(replyText(e), `PRECONDITION_FAILED - invalid message: ${why}`);
  }
  const ch = await channel(conn);
  const { queue } = await ch.assertQueue('', { exclusive: true });
  ch.publish('', 'nowhere', Buffer.from('m'), { headers: { CC: [queue], BCC: [] } });
  t.ok(await ch.get(queue, { noAck: true }), 'arrays are routed on');
});

t.test('in a transaction the CC check is made at publish, not at commit', async (t) => {
  const c = await rawClient(t, node.port, {});
  c.sendMethod(1, { name: 'tx.select' });
  await c.waitFor('tx.select-ok');
  c.sendMethod(1, publishMethod('nowhere'));
  c.sendContent(1, Buffer.from('m'), { headers: { CC: 'x' } });
  t.match(await c.waitFor('channel.close', { channel: 1 }), { replyCode: 406, classId: 60, methodId: 40 });
});

/** A content header whose property list is only the headers table, given as raw table bytes. */
const headersOnly = (table: Buffer, bodySize: number): Buffer =>
  rawFrame(FRAME_HEADER, 1, encode((w) => (w.u16(60), w.u16(0), w.u64(bodySize), w.u16(1 << 13), w.u32(table.length), w.bytes(table))));
/** One table entry with a hand-chosen tag. */
const entry = (key: string, tag: string, value: Buffer): Buffer => Buffer.concat([Buffer.from([key.length]), Buffer.from(key + tag, 'latin1'), value]);
/** 8 bytes of `n` modulo 2^64: the same bytes whether read as 'L' or as 'l'. */
const u64 = (n: bigint): Buffer => encode((w) => w.i64(BigInt.asIntN(64, n)));

/** Publishes `table` as the headers of a one-byte message to `queue`, gets it back, and returns its header payload. */
async function roundTrip(c: RawClient, queue: string, table: Buffer): Promise<Buffer> {
  c.send(Buffer.concat([methodFrame(1, publishMethod(queue)), headersOnly(table, 1), rawFrame(3, 1, Buffer.from('m'))]));
  c.sendMethod(1, { name: 'basic.get', ticket: 0, queue, noAck: true });
  await c.waitFor('basic.get-ok', { channel: 1 });
  return (await c.waitFrame((f) => f.type === FRAME_HEADER, 'content header')).payload;
}

t.test("the 'L' field type: accepted in headers and passed through as sent", async (t) => {
  const c = await rawClient(t, node.port, {});
  c.sendMethod(1, declareMethod('', { exclusive: true }));
  const { queue } = await c.waitFor('queue.declare-ok');
  const table = entry('h', 'L', u64(9n));
  t.ok((await roundTrip(c, queue, table)).subarray(18).equals(table), "delivered with its 'L' tag untouched");
  const bcc = entry('BCC', 'A', encode((w) => (w.u32(8), w.u8(0x53), w.longstr('zzz'))));
  const rewritten = (await roundTrip(c, queue, Buffer.concat([table, bcc, entry('g', 'L', u64(2n ** 64n - 2n))]))).subarray(18);
  t.same(rewritten, Buffer.concat([entry('h', 'l', u64(9n)), entry('g', 'l', u64(-2n))]), "BCC removed: the rewritten headers say 'l', signed, as RabbitMQ writes them");
});

t.test("the 'L' field type in queue.declare arguments is accepted", async (t) => {
  const c = await rawClient(t, node.port, {});
  const args = entry('x-whatever', 'L', u64(9n));
  const declare = methodFrame(1, declareMethod('l-args-q', { exclusive: true })).subarray(7, -5); // without the empty table and frame end
  c.send(rawFrame(1, 1, Buffer.concat([declare, encode((w) => w.u32(args.length)), args])));
  t.match(await c.waitFor('queue.declare-ok', { channel: 1 }), { queue: 'l-args-q' });
});
