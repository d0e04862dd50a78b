// Handler failures: the claim is released and the message requeued (retried at once by whoever gets
// it), or rejected when requeueOnFailure is false. A handler that stops because its claim was lost is
// not a failure.
import { Redis } from 'ioredis';
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import { ClaimLostError, HandlerFailedError } from '../../shared/idempotency/index.js';
import { channel, connect, consume, depth, idempotent, node, redis, Runs, until } from './support.js';

t.test('a failing handler is retried through requeue until it succeeds, then acked once', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const idem = idempotent(t, { redis: r.url, namespace: 'fail-requeue', requeueDelayMs: 20 });
  const conn = await connect(t, n.url);
  const ch = await channel(conn);
  const runs = new Runs();
  await consume(ch, 'q.fail', idem, (_m, ctx) => {
    runs.record(ctx.id, ctx);
    if (runs.count(ctx.id) < 3) throw new Error('downstream 503');
  });
  ch.sendToQueue('q.fail', Buffer.from('x'), { messageId: 'f-1' });
  t.ok(await until(() => idem.stats.processed === 1, 10_000));
  t.equal(runs.count('f-1'), 3, 'two failures, then success');
  t.equal(idem.stats.failed, 2);
  t.ok(idem.errors.filter((e) => e instanceof HandlerFailedError).length === 2, 'each failure reported as HandlerFailedError');
  t.match((idem.errors[0] as HandlerFailedError).message, /downstream 503/);
  t.ok(runs.fences[2]! > runs.fences[0]!, 'each retry is a new claim with a larger fence');
  t.equal(await depth(ch, 'q.fail'), 0);
});

t.test('requeueOnFailure false: rejected (dead-lettered or dropped), never retried', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const idem = idempotent(t, { redis: r.url, namespace: 'fail-reject', requeueOnFailure: false });
  const conn = await connect(t, n.url);
  const ch = await channel(conn);
  const runs = new Runs();
  await consume(ch, 'q.reject', idem, (_m, ctx) => {
    runs.record(ctx.id, ctx);
    throw new Error('poison');
  });
  ch.sendToQueue('q.reject', Buffer.from('x'), { messageId: 'p-1' });
  t.ok(await until(() => idem.stats.failed === 1, 5000));
  await new Promise((res) => setTimeout(res, 300));
  t.equal(runs.count('p-1'), 1, 'ran once');
  t.equal(await depth(ch, 'q.reject'), 0, 'not requeued');
  const s = await idem.process('p-1', () => undefined);
  t.equal(s.reason, 'processed', 'the claim was released: a later copy may run');
});

t.test('a handler that throws its aborted signal\'s reason counts as claim-lost', { skip: redisSkip }, async (t) => {
  const r = await redis(t);
  const probe = new Redis(r.url);
  t.teardown(() => probe.disconnect());
  const idem = idempotent(t, { redis: r.url, namespace: 'fail-lost', leaseMs: 400, renewIntervalMs: 100 });
  const s = await idem.process('l-1', async ({ signal }) => {
    await probe.set('warren:idem:fail-lost:msg:l-1', 'someone-else', 'PX', 5000);
    await until(() => signal.aborted, 2000);
    signal.throwIfAborted();
  });
  t.equal(s.reason, 'claim-lost');
  t.ok(s.action === 'nack' && s.requeue && s.error instanceof ClaimLostError);
  t.equal(idem.stats.failed, 0, 'not counted as a handler failure');
  t.equal(await probe.get('warren:idem:fail-lost:msg:l-1'), 'someone-else', 'the new owner\'s claim was left alone');
});
