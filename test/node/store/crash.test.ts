/**
 * Crash safety of the message store with the node as a real process: a child process publishes persistent
 * messages with confirms while the node is killed with SIGKILL at random moments, several rounds on one
 * data folder; every confirmed message must be there at the end. Acks that reached the node (plus a
 * settle delay) are not undone by a crash or a clean restart; unacked deliveries come back redelivered.
 */
import { once } from 'node:events';
import t from 'tap';
import {
  channel,
  confirmChannel,
  connect,
  consumeN,
  dataDir,
  depth,
  publishMany,
  sleep,
  spawnOn,
  spawnScript,
  startTestNode,
  stopChild,
  stopNode,
  until,
  within,
} from './helpers.js';

t.setTimeout(600_000);

const ROUNDS = 5;

t.test('every confirmed persistent message survives kill -9 at random points (several rounds, one data folder)', async (t) => {
  const dir = dataDir(t);
  const Q = 'crash-q';
  const confirmed = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    const node = await spawnOn(t, dir);
    const conn = await connect(t, node.url);
    if (round === 0) await (await channel(conn)).assertQueue(Q, { durable: true });
    else {
      const n = await depth(await channel(conn), Q);
      t.ok(n >= confirmed.size, `round ${round}: after the restart the queue holds ${n} >= ${confirmed.size} confirmed`);
    }
    await conn.close();
    const first = round * 1_000_000 + 1;
    const pub = spawnScript(t, 'publisher', [node.url, Q, String(first), '100']);
    t.ok(await until(() => pub.output().includes('ready'), 30_000), `round ${round}: publisher connected`);
    const delay = 200 + Math.floor(Math.random() * 1800);
    await sleep(delay);
    await stopNode(node, 'SIGKILL');
    const exited = pub.child.exitCode !== null || pub.child.signalCode !== null || (await within(once(pub.child, 'exit'), 'publisher exit', 30_000).then(() => true, () => false));
    if (!exited) await stopChild(pub.child);
    t.ok(exited, `round ${round}: the publisher noticed the crash and exited`);
    const ids = pub.output().split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    for (const id of ids) confirmed.add(id);
    t.comment(`round ${round}: node killed ${delay} ms into publishing; ${ids.length} confirms received`);
  }
  t.ok(confirmed.size > 0, `publishers had ${confirmed.size} messages confirmed over ${ROUNDS} rounds`);

  const node = await spawnOn(t, dir);
  const ch = await channel(await connect(t, node.url));
  const n = await depth(ch, Q);
  const got = await consumeN(ch, Q, n, { ms: 60_000 });
  const seen = new Map<number, number>();
  for (const m of got) {
    const id = Number(m.properties.messageId);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const missing = [...confirmed].filter((id) => !seen.has(id));
  t.same(missing.slice(0, 20), [], `no confirmed message is missing (${missing.length} missing of ${confirmed.size})`);
  const twice = [...seen].filter(([, c]) => c > 1).map(([id]) => id);
  t.same(twice.slice(0, 20), [], 'no message is recovered twice');
  const unconfirmed = [...seen.keys()].filter((id) => !confirmed.has(id)).length;
  t.comment(`recovered ${got.length}: ${confirmed.size} confirmed + ${unconfirmed} published but unconfirmed at the kill (allowed)`);
  const corrupt = got.filter((m) => !m.content.toString('latin1').startsWith(`m${m.properties.messageId as string}:`) || m.content.length !== 100);
  t.equal(corrupt.length, 0, 'every recovered body is intact');
  t.equal(await depth(ch, Q), 0, 'the queue is drained');
});

for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
  t.test(`${signal}: acked messages are not redelivered after the restart; unacked come back redelivered, in order`, async (t) => {
    const dir = dataDir(t);
    const Q = 'acks-q';
    const N = 1000;
    const ACKED = 600;
    const node = await spawnOn(t, dir);
    const conn = await connect(t, node.url);
    const pub = await confirmChannel(conn);
    await pub.assertQueue(Q, { durable: true });
    await publishMany(pub, '', Q, N, (i) => Buffer.from(`m${i + 1}`), { persistent: true });
    const sub = await channel(conn);
    const got = await consumeN(sub, Q, N, { mode: 'manual' });
    t.same(got.map((m) => m.content.toString()).slice(0, 3), ['m1', 'm2', 'm3']);
    // half of the acks one by one, the rest with one multiple ack
    for (const m of got.slice(0, ACKED / 2)) sub.ack(m);
    sub.ack(got[ACKED - 1]!, true);
    await sleep(500); // settle delay: the acks have reached the node and been written
    await stopNode(node, signal);

    const again = await spawnOn(t, dir);
    const ch = await channel(await connect(t, again.url));
    t.equal(await depth(ch, Q), N - ACKED, `only the ${N - ACKED} unacked messages are back`);
    const back = await consumeN(ch, Q, N - ACKED, { mode: 'ack' });
    t.same(
      back.map((m) => m.content.toString()),
      Array.from({ length: N - ACKED }, (_, i) => `m${ACKED + i + 1}`),
      'the unacked ones, in publish order',
    );
    t.ok(back.every((m) => m.fields.redelivered), 'each with redelivered=true');
    await sleep(300);
    await stopNode(again, 'SIGTERM');
    const third = await spawnOn(t, dir);
    t.equal(await depth(await channel(await connect(t, third.url)), Q), 0, 'acked after the restart: gone after another restart');
  });
}

// BUG: MessageStore.recover() gives each recovered message size = the whole ENQUEUE record (headers,
// properties and body: 145 bytes here) instead of the body length that Message.size counts (100), so after a
// restart the queue counts 1450 bytes instead of 1000 and the next publish drops 4 messages from the head.
t.test('recovered messages count their body bytes towards x-max-length-bytes, as before the restart', async (t) => {
  const dir = dataDir(t);
  const args = { 'x-max-length-bytes': 1000 };
  let node = await startTestNode({ dataDir: dir });
  let conn = await connect(t, node.url);
  let ch = await confirmChannel(conn);
  await ch.assertQueue('mlb', { durable: true, arguments: args });
  await publishMany(ch, '', 'mlb', 10, (i) => Buffer.alloc(100, 48 + i), { persistent: true });
  t.equal(await depth(ch, 'mlb'), 10, '10 x 100 bytes fit a 1000-byte limit');
  await conn.close();
  await node.close();

  node = await startTestNode({ dataDir: dir });
  t.teardown(() => node.close());
  conn = await connect(t, node.url);
  ch = await confirmChannel(conn);
  t.equal(await depth(ch, 'mlb'), 10, 'all 10 recovered');
  t.equal(node.node.broker.vhosts.get('/')!.queues.get('mlb')!.messages.tally.bytes, 1000, 'the queue counts 1000 bytes, as before');
  await publishMany(ch, '', 'mlb', 1, () => Buffer.alloc(0), { persistent: true });
  t.equal(await depth(ch, 'mlb'), 11, 'an empty message still fits: nothing dropped from the head');
});
