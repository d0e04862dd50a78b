// Lease renewal keeps a long handler's claim; a claim that is lost mid-handler aborts the handler's
// signal and is never marked done or acked by its former owner.
import { Redis } from 'ioredis';
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import { ClaimLostError, type ClaimContext } from '../../shared/idempotency/index.js';
import { channel, connect, consume, depth, idempotent, node, redis, sleep, until, type Scope } from './support.js';

function raw(t: Scope, url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 1 });
  t.teardown(() => c.disconnect());
  return c;
}

t.test('a handler running 4 leases long keeps its claim', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const LEASE = 600;
  const owner = idempotent(t, { redis: r.url, namespace: 'lease', leaseMs: LEASE, renewIntervalMs: 200 });
  const rival = idempotent(t, { redis: r.url, namespace: 'lease', leaseMs: LEASE });
  const probe = raw(t, r.url);
  const conn = await connect(t, n.url);
  const ch = await channel(conn);
  let ctxSeen: ClaimContext | undefined;
  let finished = false;
  await consume(ch, 'q.lease', owner, async (_m, ctx) => {
    ctxSeen = ctx;
    await sleep(LEASE * 4);
    finished = true;
  });
  ch.sendToQueue('q.lease', Buffer.from('x'), { messageId: 'long-1' });
  t.ok(await until(() => ctxSeen !== undefined, 5000), 'handler started');
  const key = 'warren:idem:lease:msg:long-1';
  for (let i = 1; i <= 3; i++) {
    await sleep(LEASE * 0.9);
    const ttl = await probe.pttl(key);
    t.ok(ttl > 0 && ttl <= LEASE, `after ${i * 0.9} leases the claim is still alive (pttl ${ttl})`);
    const s = await rival.process('long-1', () => t.fail('rival must not run'));
    t.equal(s.reason, 'busy', 'a rival is turned away');
  }
  t.notOk(ctxSeen!.signal.aborted, 'the signal never aborted');
  t.ok(await until(() => owner.stats.processed === 1, 5000), 'processed and acked');
  t.ok(finished);
  t.match(await probe.get(key), /^done:/, 'done recorded');
  t.ok((await probe.pttl(key)) > 3_600_000, 'kept for the retention');
  t.equal(await depth(ch, 'q.lease'), 0);
});

t.test('a claim lost mid-handler: signal aborts, no mark-done, requeued', { skip: redisSkip }, async (t) => {
  const r = await redis(t);
  const LEASE = 600;
  const owner = idempotent(t, { redis: r.url, namespace: 'lost', leaseMs: LEASE, renewIntervalMs: 150 });
  const other = idempotent(t, { redis: r.url, namespace: 'lost', leaseMs: LEASE });
  const probe = raw(t, r.url);
  const key = 'warren:idem:lost:msg:m1';
  let abortedWith: unknown;
  const settlement = owner.process('m1', async ({ signal }) => {
    // Simulate a pause longer than the lease (GC, swap): the claim expires and another consumer takes it.
    await probe.pexpire(key, 1);
    await sleep(20);
    const taken = await other.process('m1', () => sleep(400));
    t.equal(taken.reason, 'processed', 'the other consumer claimed and processed it');
    await until(() => signal.aborted, 2000);
    abortedWith = signal.reason;
  });
  const s = await settlement;
  t.ok(abortedWith instanceof ClaimLostError, 'the handler\'s signal aborted with ClaimLostError');
  t.equal(s.action, 'nack');
  t.equal(s.reason, 'claim-lost', 'the old owner did not mark done or ack');
  t.ok(s.action === 'nack' && s.requeue, 'requeued: the redelivery will be acked as a duplicate');
  t.ok(s.action === 'nack' && s.error instanceof ClaimLostError);
  t.same(await other.process('m1', () => t.fail('must not run')), { action: 'ack', reason: 'duplicate' });
});
