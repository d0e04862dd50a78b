// Fencing tokens: every claim gets a token larger than all before it, so a downstream store that
// remembers the largest token it has seen can refuse the writes of an owner whose claim was taken over.
import { Redis } from 'ioredis';
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import { idempotent, redis, sleep } from './support.js';

/** A downstream store that refuses writes carrying an older fencing token than one it has accepted. */
class FencedStore {
  private highest = 0;
  readonly writes: string[] = [];
  write(fence: number, value: string): boolean {
    if (fence < this.highest) return false;
    this.highest = fence;
    this.writes.push(value);
    return true;
  }
}

t.test('tokens increase across claims, retries and ids', { skip: redisSkip }, async (t) => {
  const r = await redis(t);
  const idem = idempotent(t, { redis: r.url, namespace: 'fence', requeueDelayMs: 0 });
  const fences: number[] = [];
  // A failing handler releases its claim; the retry is a new claim with a new token.
  for (let i = 0; i < 3; i++) {
    const s = await idem.process('retried', ({ fence }) => {
      fences.push(fence);
      throw new Error('downstream timeout');
    });
    t.equal(s.reason, 'handler-failed');
  }
  for (const id of ['a', 'b', 'c', 'retried']) await idem.process(id, ({ fence }) => void fences.push(fence));
  t.equal(fences.length, 7);
  t.ok(fences.every((f, i) => i === 0 || f > fences[i - 1]!), `strictly increasing: ${fences.join(',')}`);
});

t.test('a stale owner\'s write is refused downstream', { skip: redisSkip }, async (t) => {
  const r = await redis(t);
  const probe = new Redis(r.url);
  t.teardown(() => probe.disconnect());
  const a = idempotent(t, { redis: r.url, namespace: 'stale', leaseMs: 500, renewIntervalMs: 150 });
  const b = idempotent(t, { redis: r.url, namespace: 'stale', leaseMs: 500 });
  const store = new FencedStore();
  const results: Record<string, boolean> = {};
  const sa = await a.process('pay-9', async ({ fence }) => {
    await probe.pexpire('warren:idem:stale:msg:pay-9', 1); // a's lease runs out during a long pause
    await sleep(20);
    await b.process('pay-9', ({ fence: fb }) => void (results.b = store.write(fb, 'b')));
    results.a = store.write(fence, 'a'); // a wakes up and writes with its old token
  });
  t.same(results, { b: true, a: false }, 'the new owner wrote; the stale owner was refused');
  t.same(store.writes, ['b']);
  t.equal(sa.reason, 'claim-lost', 'and the stale owner does not ack');
});
