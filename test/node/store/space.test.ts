/**
 * Disk space comes back while the node runs, with small (64 KB) segments: under a steady publish/ack load
 * old segment files are deleted and their number stays bounded; purge and queue.delete free the space of
 * what they dropped; and the ack-reference rule holds: a segment whose SETTLE records name messages of a
 * segment still on disk is kept (else a restart would bring acked messages back), and goes once that
 * segment has gone.
 */
import t from 'tap';
import {
  bodyFor,
  channel,
  confirmChannel,
  connect,
  consumeN,
  dataDir,
  depth,
  publishMany,
  segmentFiles,
  sleep,
  spawnOn,
  startTestNode,
  stopNode,
  storedRecords,
  until,
  type TestNode,
} from './helpers.js';

t.setTimeout(600_000);

const SEGMENT = 64 * 1024;
const KB = 1024;
const persistent = { persistent: true } as const;
t.test('under a publish/ack load old segments are deleted while the node runs (spawned node, --segment-size 64 KB)', async (t) => {
  const dir = dataDir(t);
  const node = await spawnOn(t, dir, ['--segment-size', String(SEGMENT)]);
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  const sub = await channel(conn);
  await pub.assertQueue('load', { durable: true });
  const N = 8000; // 8 MB through the store: ~125 segments if none were deleted
  let max = 0;
  const sampler = setInterval(() => (max = Math.max(max, segmentFiles(dir).length)), 20);
  t.teardown(() => clearInterval(sampler));
  const consumed = consumeN(sub, 'load', N, { mode: 'ack', prefetch: 200, ms: 180_000 });
  await publishMany(pub, '', 'load', N, (i) => bodyFor(i, KB), persistent, 500, 180_000);
  const got = await consumed;
  t.equal(got.length, N, `${N} x 1 KB published and acked`);
  t.ok(got.every((m, i) => m.content.equals(bodyFor(i, KB))), 'delivered intact, in order');
  t.ok(await until(() => segmentFiles(dir).length <= 3, 5000), `idle: ${segmentFiles(dir).length} segment files left`);
  clearInterval(sampler);
  t.ok(max > 1 && max <= 60, `at most ${max} segment files at once during the run (of ~${Math.ceil((N * KB) / SEGMENT)} written)`);
  // BUG: SegmentLog.deleteSegment closes a segment's fd while an fdatasync on it is still in flight (the
  // segment was touched by the group commit running now), so the node logs "fdatasync failed EBADF" errors
  // under this ordinary load (and the closed fd number can be reused by the next segment file meanwhile).
  t.notMatch(node.output(), /"level":(50|60)/, 'no errors logged');
  await conn.close();
  await stopNode(node, 'SIGTERM');
  const again = await spawnOn(t, dir, ['--segment-size', String(SEGMENT)]);
  t.equal(await depth(await channel(await connect(t, again.url)), 'load'), 0, 'nothing comes back after a restart');
});

async function inProcess(dir: string): Promise<TestNode> {
  return startTestNode({ dataDir: dir, segmentSize: SEGMENT });
}

for (const how of ['purge', 'delete'] as const) {
  t.test(`queue.${how} frees the space of the messages it dropped`, async (t) => {
    const dir = dataDir(t);
    let node = await inProcess(dir);
    const conn = await connect(t, node.url);
    const ch = await confirmChannel(conn);
    await ch.assertQueue('big', { durable: true });
    await publishMany(ch, '', 'big', 2000, (i) => bodyFor(i, KB), persistent);
    const before = segmentFiles(dir).length;
    t.ok(before >= 25, `2000 x 1 KB take ${before} segment files`);
    if (how === 'purge') t.equal((await ch.purgeQueue('big')).messageCount, 2000);
    else t.equal((await ch.deleteQueue('big')).messageCount, 2000);
    t.ok(await until(() => segmentFiles(dir).length <= 2, 3000), `after ${how}: ${segmentFiles(dir).length} segment files`);
    await conn.close();
    await node.close();
    node = await inProcess(dir);
    t.teardown(() => node.close());
    const q = node.node.broker.vhosts.get('/')!.queues.get('big');
    if (how === 'purge') t.equal(q?.messageCount, 0, 'restart: the queue is still empty');
    else t.equal(q, undefined, 'restart: the queue is still gone');
    t.ok(segmentFiles(dir).length <= 2, 'and the store stays small');
  });
}

t.test('ack-reference rule: a segment with acks of messages in a live segment is kept until that segment goes', async (t) => {
  const dir = dataDir(t);
  let node = await inProcess(dir);
  let conn = await connect(t, node.url);
  let ch = await confirmChannel(conn);
  for (const q of ['keep', 'acked', 'churn']) await ch.assertQueue(q, { durable: true });
  const churn = async (c: typeof ch): Promise<void> => {
    const sub = await channel(conn);
    const done = consumeN(sub, 'churn', 300, { mode: 'ack' });
    await publishMany(c, '', 'churn', 300, (i) => bodyFor(i, KB), persistent);
    await done;
    await sleep(200);
  };

  // the kept message shares the first segment with acked messages; the acks land in later segments
  await publishMany(ch, '', 'keep', 1, () => Buffer.from('K'), persistent);
  await publishMany(ch, '', 'acked', 150, (i) => bodyFor(i, KB), persistent);
  await consumeN(await channel(conn), 'acked', 150, { mode: 'ack' });
  await sleep(200);
  const records = storedRecords(dir);
  const kSeg = records.find((r) => r.type === 'enqueue' && r.queue === 'keep')!.segment;
  const ackedInK = new Set(records.filter((r) => r.type === 'enqueue' && r.queue === 'acked' && r.segment === kSeg).map((r) => r.id));
  const settleSegs = [...new Set(records.filter((r) => r.type === 'settle' && r.ids.some((id) => ackedInK.has(id))).map((r) => r.segment))];
  const ackedOnlySegs = [...new Set(records.filter((r) => r.type === 'enqueue' && r.queue === 'acked' && r.segment !== kSeg).map((r) => r.segment))];
  t.ok(ackedInK.size > 0 && settleSegs.length > 0, `segment ${kSeg} holds K and ${ackedInK.size} acked messages, settled in ${settleSegs.join(', ')}`);
  t.ok(settleSegs.every((s) => s > kSeg), 'the acks are in later segments');

  await churn(ch); // moves appends well past the settle segments
  let files = segmentFiles(dir);
  t.ok(files.includes(kSeg), `${kSeg} (holding K) is kept`);
  t.same(settleSegs.filter((s) => !files.includes(s)), [], `the segments acking messages of ${kSeg} are kept: ${settleSegs.join(', ')}`);
  t.same(ackedOnlySegs.filter((s) => files.includes(s) && !settleSegs.includes(s)), [], 'segments holding only acked messages are gone');

  await conn.close();
  await node.close();
  node = await inProcess(dir);
  conn = await connect(t, node.url);
  ch = await confirmChannel(conn);
  t.equal(await depth(ch, 'acked'), 0, 'restart: no acked message is resurrected');
  t.equal(await depth(ch, 'keep'), 1, 'restart: K is still there');

  // K acked: its segment goes, and with it the segments that only held acks of it
  await consumeN(await channel(conn), 'keep', 1, { mode: 'ack' });
  await sleep(200);
  await churn(ch);
  files = segmentFiles(dir);
  t.notOk(files.includes(kSeg), `${kSeg} deleted once K is acked`);
  t.same(settleSegs.filter((s) => files.includes(s)), [], 'the segments of its acks are deleted too');
  t.ok(files.length <= 3, `${files.length} segment files left`);
  await conn.close();
  await node.close();
  node = await inProcess(dir);
  t.teardown(() => node.close());
  const v = node.node.broker.vhosts.get('/')!;
  t.same(['keep', 'acked', 'churn'].map((q) => v.queues.get(q)?.messageCount), [0, 0, 0], 'restart: every queue is empty');
});
