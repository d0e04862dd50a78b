/**
 * Expiries far ahead: a TTL longer than Node's longest timer (2^31-1 ms; Node turns a longer timeout into
 * 1 ms) does not make the queue's expiry timer fire every millisecond, and one past any date (an
 * expiration just under 2^64 ms) is kept as "later than any clock reading" rather than wrapping around in
 * the store's 64-bit field into the past.
 * Both messages stay queued and come back intact after a restart; a short TTL still expires on time.
 */
import t from 'tap';
import { channel, confirmChannel, connect, dataDir, depth, publishConfirmed, sleep, startTestNode } from './helpers.js';

t.test('far-off expiries neither spin the expiry timer nor wrap in the store', async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  const dir = dataDir(t);
  let node = await startTestNode({ dataDir: dir });
  let conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('far', { durable: true });
  for (const expiration of ['3000000000', '18446744073000000000']) await publishConfirmed(ch, '', 'far', expiration, { persistent: true, expiration });
  await ch.assertQueue('short', { durable: true });
  await publishConfirmed(ch, '', 'short', 'short', { persistent: true, expiration: '200' });
  await sleep(500);
  t.same(warnings.filter((w) => w === 'TimeoutOverflowWarning'), [], 'no timer longer than Node allows');
  t.equal(await depth(ch, 'short'), 0, 'a 200 ms TTL expired');
  t.equal(await depth(ch, 'far'), 2, 'the far-off ones are still there');
  await conn.close();
  await node.close();

  node = await startTestNode({ dataDir: dir });
  t.teardown(() => node.close());
  conn = await connect(t, node.url);
  const got = [];
  const ch2 = await channel(conn);
  for (let m = await ch2.get('far', { noAck: true }); m; m = await ch2.get('far', { noAck: true })) got.push(m.content.toString());
  t.same(got, ['3000000000', '18446744073000000000'], 'both back after a restart, in order');
});
