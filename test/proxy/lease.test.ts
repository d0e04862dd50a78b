/**
 * The VIP lease against a real redis-server: one holder at a time, epochs increase, renewals keep it,
 * a missed renewal loses it to the other proxy, the local deadline passes before Redis lets anyone else in,
 * and with Redis down nobody holds it. Skips with a printed reason when redis-server is not installed.
 */
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { RedisLease } from '../../proxy/vip/lease.js';
import { createLogger } from '../../shared/log.js';
import { sleep, startRedis } from './helpers.js';

const redis = await startRedis();
if ('skip' in redis) {
  t.comment(`skipping: ${redis.skip}`);
  t.pass(`skipped: ${redis.skip}`);
} else {
  t.teardown(() => redis.stop());
  const log = createLogger('silent', 'test');
  const TTL = 400;
  const lease = (id: string, group = 'g') => {
    const l = new RedisLease(redis.url, group, id, TTL, 200, log);
    t.teardown(() => l.close());
    return l;
  };
  const ready = async (l: RedisLease) => {
    for (let i = 0; i < 100 && (await l.acquire()) === 0 && l.epoch === 0; i++) await sleep(20);
  };

  t.test('one holder; a missed renewal hands it over with a higher epoch', async (t) => {
    const a = lease('a');
    const b = lease('b');
    await ready(a);
    const e1 = a.epoch;
    t.ok(e1 >= 1, `a holds epoch ${e1}`);
    t.ok(a.validAt(performance.now()));
    t.equal(await b.acquire(), 0, 'b cannot take a held lease');
    t.equal(await a.renew(), true);
    await sleep(TTL + 100);
    t.notOk(a.validAt(performance.now()), 'the local deadline has passed');
    const e2 = await b.acquire();
    t.ok(e2 > e1, `b takes it with epoch ${e2} > ${e1}`);
    t.equal(await a.renew(), false, 'a learns it lost the lease');
    t.equal(a.epoch, 0);
    await b.release();
    const e3 = await a.acquire();
    t.ok(e3 > e2, 'released: a takes it back at once, with a new epoch');
  });

  t.test('the local deadline ends before Redis lets another proxy in', async (t) => {
    const a = lease('a', 'h');
    const b = lease('b', 'h');
    await ready(a);
    const deadline = performance.now();
    while (a.validAt(performance.now())) await sleep(2);
    const localEnd = performance.now() - deadline;
    let otherAt = 0;
    while ((await b.acquire()) === 0) await sleep(2);
    otherAt = performance.now() - deadline;
    t.ok(localEnd <= otherAt, `a stopped trusting its lease at +${localEnd.toFixed(0)} ms, b got it at +${otherAt.toFixed(0)} ms`);
  });

  t.test('redis down: no lease can be taken or renewed', async (t) => {
    const a = lease('a', 'down');
    await ready(a);
    await redis.stop();
    await t.rejects(a.renew(), 'a renewal fails');
    const c = new RedisLease(redis.url, 'down', 'c', TTL, 200, log);
    t.equal(await c.acquire(), 0, 'nobody acquires');
    await c.close();
    await sleep(TTL);
    t.notOk(a.validAt(performance.now()), 'and the holder stops trusting it after the ttl');
  });
}
