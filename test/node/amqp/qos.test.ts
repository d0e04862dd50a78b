/**
 * basic.qos as RabbitMQ 3.10 applies it, over real TCP: global=true limits the channel, global=false each
 * consumer created afterwards, and global=false also lifts the channel's limit (rabbit_channel unlimits
 * its limiter), so the order of the two calls matters.
 */
import t from 'tap';
import { startTestNode } from '../../helpers/node.js';
import type { TapTest } from '../../helpers/raw-client.js';
import { channel, connect, sleep, until } from '../broker/helpers.js';

const node = await startTestNode();
t.teardown(() => node.close());

/** Unacked deliveries to two consumers (one per queue of 5 messages) after the two qos calls, in order. */
async function deliveries(t: TapTest, qos: [number, boolean][]): Promise<number[]> {
  const ch = await channel(await connect(t, node.url));
  const got = [0, 0];
  for (const [count, global] of qos) await ch.prefetch(count, global);
  for (const i of [0, 1]) {
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (let m = 0; m < 5; m++) ch.sendToQueue(queue, Buffer.from(`m${m}`));
    await ch.consume(queue, () => void got[i]!++);
  }
  await until(() => got[0]! + got[1]! >= 3, 'the first deliveries');
  await sleep(200);
  return got;
}

t.test('global=true, then global=false: the channel limit is lifted, each consumer gets 2', async (t) => {
  t.same(await deliveries(t, [[3, true], [2, false]]), [2, 2]);
});

t.test('global=false, then global=true: both limits hold, 3 in all', async (t) => {
  t.same(await deliveries(t, [[2, false], [3, true]]), [2, 1]);
});
