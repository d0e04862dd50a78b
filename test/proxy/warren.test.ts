/**
 * Real Warren nodes behind the proxy, real amqplib clients in front: connections spread over the nodes
 * and work end to end; a node killed with SIGKILL is marked down by the AMQP check and a client with a
 * reconnect loop keeps publishing and consuming through the proxy on the surviving node.
 */
import amqplib from 'amqplib';
import t from 'tap';
import { spawnNode, startTestNode } from '../helpers/node.js';
import { frontendPort, sleep, startProxy, waitFor } from './helpers.js';

const INTER = 200;
const FALL = 3;

const n1 = await startTestNode();
let n1Closed = false;
t.teardown(() => (n1Closed ? undefined : n1.close()));
const n2 = await spawnNode();
// (SpawnedNode.stop waits for an exit that already happened if the child died by a signal: check first.)
t.teardown(async () => {
  if (n2.child.exitCode === null && n2.child.signalCode === null) await n2.stop('SIGKILL');
});
const p = await startProxy({
  pools: [
    {
      name: 'warren',
      balance: 'leastconn',
      // A generous timeout: a killed node refuses at once, while a slow answer on a loaded machine is no failure.
      check: { type: 'amqp', inter: INTER, timeout: 1500, fall: FALL, rise: 2 },
      backends: [`n1=127.0.0.1:${n1.port}`, `n2=127.0.0.1:${n2.port}`],
    },
  ],
  frontends: [{ name: 'main', listen: ['127.0.0.1:0'] }],
});
t.teardown(() => p.close());
const url = `amqp://guest:guest@127.0.0.1:${frontendPort(p)}`;
const pool = p.pools.get('warren')!;
await waitFor('both nodes checked up', () => pool.backends.every((b) => b.lastCheck?.status === 'L7OK'), 15_000);

t.test('amqplib through the proxy: connections spread, messages round-trip', async (t) => {
  const conns = await Promise.all([1, 2, 3, 4].map(() => amqplib.connect(url)));
  t.same(
    pool.backends.map((b) => b.counters.cur),
    [2, 2],
    'leastconn puts two connections on each node',
  );
  for (const [i, c] of conns.entries()) {
    const ch = await c.createChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.from(`hello ${i}`));
    const m = await waitFor('the message back', () => ch.get(q, { noAck: true }), 5000);
    t.equal(m.content.toString(), `hello ${i}`);
  }
  await Promise.all(conns.map((c) => c.close()));
  await waitFor('sessions closed', () => pool.counters.cur === 0);
});

t.test('a node killed mid-traffic: marked down, and a reconnecting client carries on', async (t) => {
  let roundTrips = 0;
  let reconnects = 0;
  let stop = false;
  const gaps: number[] = [];
  let lastOk = Date.now();

  // The client's loop: connect (through the proxy), then publish and get back one message at a time.
  const loop = async (): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!stop && Date.now() < deadline) {
      try {
        const c = await amqplib.connect(url);
        let closed = false;
        c.on('error', () => {});
        c.on('close', () => (closed = true));
        const ch = await c.createChannel();
        ch.on('error', () => {});
        const q = (await ch.assertQueue('', { exclusive: true })).queue;
        while (!stop) {
          ch.sendToQueue(q, Buffer.from('x'));
          const until = Date.now() + 2000;
          while (!(await ch.get(q, { noAck: true }))) {
            if (closed || Date.now() > until) throw new Error('connection lost');
            await sleep(5);
          }
          roundTrips++;
          const now = Date.now();
          gaps.push(now - lastOk);
          lastOk = now;
          await sleep(10);
        }
        await c.close().catch(() => {});
      } catch {
        reconnects++;
        await sleep(100);
      }
    }
  };
  const running = loop();
  await waitFor('traffic', () => roundTrips >= 20, 10_000);
  const victim = pool.backends.find((b) => b.counters.cur > 0)!;
  t.ok(victim, 'the client is on a node');
  // Kill the node the client uses (SIGKILL on the spawned one, close on the in-process one).
  const killedAt = Date.now();
  if (victim.name === 'n2') await n2.stop('SIGKILL');
  else {
    n1Closed = true;
    await n1.close();
  }
  await waitFor('the dead node marked down', () => !victim.up, 15_000);
  const downAfter = Date.now() - killedAt;
  t.ok(downAfter <= INTER * FALL + 2000, `${victim.name} marked down ${downAfter} ms after the kill (inter ${INTER} x fall ${FALL})`);
  const before = roundTrips;
  await waitFor('traffic after the loss', () => roundTrips >= before + 20, 15_000);
  stop = true;
  await running;
  t.ok(reconnects >= 1, `the client reconnected (${reconnects} failed attempts on the way)`);
  const worst = Math.max(...gaps);
  t.ok(worst < 10_000, `longest pause between round trips: ${worst} ms`);
  t.equal(pool.backends.find((b) => b !== victim)!.up, true, 'the other node is still up');
});

t.test('an idle connection kept alive by AMQP heartbeats outlives timeout-idle', async (t) => {
  const survivor = pool.backends.find((b) => b.up)!;
  const p2 = await startProxy({
    pools: [{ name: 'w', check: { type: 'amqp', inter: INTER, timeout: 1500 }, backends: [`127.0.0.1:${survivor.config.port}`] }],
    frontends: [{ name: 'main', listen: ['127.0.0.1:0'], 'timeout-idle': 2500 }],
  });
  t.teardown(() => p2.close());
  const c = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${frontendPort(p2)}?heartbeat=1`);
  let closed = false;
  c.on('close', () => (closed = true));
  c.on('error', () => {});
  const ch = await c.createChannel();
  const q = (await ch.assertQueue('', { exclusive: true })).queue;
  await sleep(5000); // no application traffic, only heartbeats, for twice the idle timeout
  t.notOk(closed, 'the proxy did not cut the heartbeating connection');
  ch.sendToQueue(q, Buffer.from('after the quiet'));
  const m = await waitFor('the message', () => ch.get(q, { noAck: true }), 5000);
  t.equal(m.content.toString(), 'after the quiet');
  await c.close();

  // The control: without heartbeats the same quiet connection is cut at the idle timeout.
  const quiet = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${frontendPort(p2)}?heartbeat=0`);
  quiet.on('error', () => {});
  const cut = Date.now();
  await new Promise((r) => quiet.on('close', r));
  t.ok(Date.now() - cut >= 2000, `without heartbeats it was closed after ${Date.now() - cut} ms of silence`);
});
