/**
 * The ready-message containers against a plain array model: PackedFifo (push, shift, peek, requeue
 * by sequence number, forEach paging entries in place) and PriorityMessages over it, with entries that
 * are in memory (inline or shared by size), on disk, or both, with and without expiry, priority and
 * deliveries; a small message in two queues copied once; and the byte stream underneath (varints at their
 * edges, records across chunks).
 */
import fc from 'fast-check';
import t from 'tap';
import { ByteFifo } from '../../../node/broker/byte-fifo.js';
import { EntryStream, SHARE_FROM } from '../../../node/broker/entry-stream.js';
import { Message } from '../../../node/broker/message.js';
import { PackedFifo } from '../../../node/broker/packed-fifo.js';
import { PriorityMessages, type QueueMessages } from '../../../node/broker/queue-messages.js';
import type { QueueEntry } from '../../../node/broker/queue.js';

const NUM_RUNS = 300;
/** Few entries wait unpacked here, so that short operation lists reach the packed stream too. */
const UNPACKED = 3;

/** An entry's content, comparable with t.same (messages by their bytes). */
function plain(e: QueueEntry | undefined): unknown {
  if (e === undefined) return undefined;
  const m = e.msg;
  const msg = m && { exchange: m.exchange, routingKey: m.routingKey, props: [...m.rawProperties], body: m.body.toString('latin1') };
  return { ...e, msg };
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '€', '𝄞'), maxLength: 6 });
const entryArb = fc.record({
  where: fc.constantFrom('memory', 'disk', 'both'),
  bodySize: fc.oneof(fc.nat(40), fc.constantFrom(SHARE_FROM - 1, SHARE_FROM, 20_000)),
  props: fc.uint8Array({ maxLength: 12 }),
  exchange: fc.constantFrom('', 'x', 'amq.topic'),
  routingKey: fc.oneof(fc.constant('k'), text),
  priority: fc.oneof(fc.constant(0), fc.nat(255)),
  deliveryCount: fc.oneof(fc.constant(0), fc.nat(300)),
  expiresAt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 42 }), fc.constant(8.64e15)),
  id: fc.nat(2 ** 40),
  segment: fc.nat(70_000),
  offset: fc.nat(2 ** 32 - 1),
  length: fc.nat(2 ** 31),
  /** Continue the previous stored entry as one publisher's lazy queue does: next id, next record, same sizes. */
  follow: fc.boolean(),
});
type EntrySpec = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

function makeEntry(spec: EntrySpec, seq: number, prev: QueueEntry | undefined): QueueEntry {
  const p = spec.follow && spec.where !== 'memory' ? prev?.stored : undefined;
  const s = p ? { ...spec, bodySize: prev!.size, id: p.id + 1, segment: p.ref.segment, offset: p.ref.offset + p.ref.length + 8, length: p.ref.length } : spec;
  const body = Buffer.alloc(s.bodySize, seq % 251);
  const props = s.props.length >= 2 ? Buffer.from(s.props) : Buffer.from([0, 0]);
  return {
    msg: s.where === 'disk' ? null : new Message(s.exchange, s.routingKey, props, body),
    stored: s.where === 'memory' ? null : { id: s.id, ref: { segment: s.segment, offset: s.offset, length: s.length } },
    size: s.bodySize,
    priority: s.priority,
    seq,
    deliveryCount: s.deliveryCount,
    expiresAt: s.expiresAt,
  };
}

type Op = { op: 'push'; entry: EntrySpec } | { op: 'shift' } | { op: 'peek' } | { op: 'requeue'; pick: number } | { op: 'forEach'; pageOut: boolean };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('push' as const), entry: entryArb }) },
  { weight: 4, arbitrary: fc.constant({ op: 'shift' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'peek' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('requeue' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('forEach' as const), pageOut: fc.boolean() }) },
);

/**
 * Runs the operations on `make()` and on the model, which is the delivery order the queue promises: pushes
 * at the tail (sequence numbers only grow), a requeued entry back among the others by sequence number,
 * and for priority levels the highest level first. Only entries taken out may be requeued. forEach sees
 * every entry in that order and keeps what it changes: it drops the message of stored entries (paging
 * out) or renumbers deliveries (both idempotent, as model and container may share entry objects).
 */
function runModel(make: () => QueueMessages, levelOf: (e: QueueEntry) => number, ops: Op[]): void {
  const fifo = make();
  const model: QueueEntry[] = [];
  const taken: QueueEntry[] = [];
  let seq = 1;
  let last: QueueEntry | undefined;
  const order = (a: QueueEntry, b: QueueEntry): number => levelOf(b) - levelOf(a) || a.seq - b.seq;
  const bytes = (): number => model.reduce((n, e) => n + e.size, 0);
  for (const o of ops) {
    if (o.op === 'push') {
      const e = (last = makeEntry(o.entry, seq++, last));
      fifo.push(e);
      model.push(e);
      model.sort(order);
    } else if (o.op === 'shift') {
      const got = fifo.shift();
      const want = model.shift();
      if (JSON.stringify(plain(got)) !== JSON.stringify(plain(want))) throw new Error(`shift: ${JSON.stringify(plain(got))} != ${JSON.stringify(plain(want))}`);
      if (got) taken.push(got);
    } else if (o.op === 'peek') {
      if (JSON.stringify(plain(fifo.peek())) !== JSON.stringify(plain(model[0]))) throw new Error('peek differs');
    } else if (o.op === 'requeue' && taken.length > 0) {
      const [e] = taken.splice(o.pick % taken.length, 1);
      e!.deliveryCount++;
      fifo.requeue(e!);
      model.push(e!);
      model.sort(order);
    } else if (o.op === 'forEach') {
      const change = (e: QueueEntry): void => {
        if (!o.pageOut) e.deliveryCount = e.seq % 5;
        else if (e.stored !== null) e.msg = null;
      };
      const seen: unknown[] = [];
      fifo.forEach((e) => {
        change(e);
        seen.push(plain(e));
      });
      model.forEach(change);
      if (JSON.stringify(seen) !== JSON.stringify(model.map(plain))) throw new Error('forEach order differs');
    }
    if (fifo.length !== model.length) throw new Error(`length ${fifo.length} != ${model.length}`);
    if (fifo.tally.bytes !== bytes()) throw new Error(`bytes ${fifo.tally.bytes} != ${bytes()}`);
    const onDisk = model.filter((e) => e.msg === null);
    if (fifo.tally.onDisk !== onDisk.length) throw new Error(`on disk ${fifo.tally.onDisk} != ${onDisk.length}`);
    const onDiskBytes = onDisk.reduce((n, e) => n + e.size, 0);
    if (fifo.tally.onDiskBytes !== onDiskBytes) throw new Error(`bytes on disk ${fifo.tally.onDiskBytes} != ${onDiskBytes}`);
  }
  const rest: unknown[] = [];
  for (let e = fifo.shift(); e !== undefined; e = fifo.shift()) rest.push(plain(e));
  if (JSON.stringify(rest) !== JSON.stringify(model.map(plain))) throw new Error('final drain differs');
}

t.test('PackedFifo behaves as the model', async (t) => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => runModel(() => new PackedFifo(UNPACKED), () => 0, ops)),
    { numRuns: NUM_RUNS },
  );
  t.pass(`${NUM_RUNS} runs`);
});

t.test('PriorityMessages over packed levels behaves as the model (priority capped at the maximum)', async (t) => {
  const max = 5;
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => runModel(() => new PriorityMessages(max, () => new PackedFifo(UNPACKED)), (e) => Math.min(e.priority, max), ops)),
    { numRuns: NUM_RUNS },
  );
  t.pass(`${NUM_RUNS} runs`);
});

t.test('a long backlog crosses many chunks and comes out intact and in order; large bodies stay shared', async (t) => {
  const fifo = new PackedFifo();
  const big = new Message('x', 'k', Buffer.from([0, 0]), Buffer.alloc(SHARE_FROM, 7));
  const N = 20_000;
  for (let i = 0; i < N; i++) {
    const msg = i % 1000 === 0 ? big : new Message('', `q${i % 3}`, Buffer.from([0x10, 0, 2]), Buffer.alloc(100 + (i % 50), i % 256));
    fifo.push({ msg, stored: null, size: msg.size, priority: 0, seq: i, deliveryCount: 0, expiresAt: i % 7 === 0 ? 1_700_000_000_000 + i : 0 });
  }
  let ok = 0;
  for (let i = 0; i < N; i++) {
    const e = fifo.shift()!;
    if (i % 1000 === 0) ok += Number(e.msg === big);
    else ok += Number(e.seq === i && e.msg!.routingKey === `q${i % 3}` && e.msg!.body.equals(Buffer.alloc(100 + (i % 50), i % 256)) && e.expiresAt === (i % 7 === 0 ? 1_700_000_000_000 + i : 0));
  }
  t.equal(ok, N, 'every entry as pushed; the large message is the same object');
  t.equal(fifo.length, 0);
  t.equal(fifo.shift(), undefined);
  t.equal((fifo as unknown as { packed: unknown }).packed, null, 'internals: the drained stream is let go');
});

t.test('a small message in two queues is copied into the first and shared by the second', async (t) => {
  const msg = new Message('', 'k', Buffer.from([0, 0]), Buffer.alloc(100, 1));
  const entry = (): QueueEntry => ({ msg, stored: null, size: msg.size, priority: 0, seq: 1, deliveryCount: 0, expiresAt: 0 });
  const [first, second] = [new EntryStream(), new EntryStream()];
  first.push(entry());
  second.push(entry());
  const a = first.shift()!.msg!;
  t.not(a, msg, 'the first queue holds a copy');
  t.ok(a.body.equals(msg.body), 'of the same bytes');
  t.equal(second.shift()!.msg, msg, 'the second queue shares the message');
});

t.test('paged entries from one publisher cost about a byte each; a new segment breaks the pattern once', async (t) => {
  const stream = new EntryStream();
  const N = 100_000;
  const entry = (i: number): QueueEntry => {
    const segment = 1 + Math.floor(i / 50_000);
    const offset = 8 + (i % 50_000) * 1108;
    return { msg: null, stored: { id: 1000 + i, ref: { segment, offset, length: 1100 } }, size: 1024, priority: 0, seq: i, deliveryCount: 0, expiresAt: 0 };
  };
  for (let i = 0; i < N; i++) stream.push(entry(i));
  // internals: the chunks written
  const b = (stream as unknown as { bytes: { waiting: Buffer[]; wpos: number } }).bytes;
  const written = b.waiting.reduce((n, c) => n + c.length, b.wpos);
  t.ok(written < 2 * N, `${N} entries in ${written} bytes`);
  let ok = 0;
  for (let i = 0; i < N; i++) ok += Number(JSON.stringify(stream.shift()) === JSON.stringify(entry(i)));
  t.equal(ok, N, 'every entry as pushed');
});

t.test('ByteFifo: varints at their edges, records across chunks', async (t) => {
  const b = new ByteFifo();
  const uints = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
  const ints = [0, -1, 1, -64, 64, -(2 ** 31), 2 ** 31, -(2 ** 52), 2 ** 52];
  const rounds = 3000; // about 225 KB: several chunks
  for (let i = 0; i < rounds; i++) {
    b.reserve(200);
    for (const v of uints) b.uint(v);
    for (const v of ints) b.int(v);
    b.str(`é${i}`);
    b.bytes(Buffer.from([i & 255]));
  }
  let ok = 0;
  for (let i = 0; i < rounds; i++) {
    const u = uints.map(() => b.readUint());
    const s = ints.map(() => b.readInt());
    const str = b.readStr();
    const one = b.readView(1);
    b.next();
    ok += Number(JSON.stringify(u) === JSON.stringify(uints) && JSON.stringify(s) === JSON.stringify(ints) && str === `é${i}` && one[0] === (i & 255));
  }
  t.equal(ok, rounds, 'every record read back as written');
  t.ok(b.empty, 'empty once everything is read');
  t.equal((b as unknown as { waiting: Buffer[] }).waiting.length, 0, 'internals: no chunk left waiting');
});
