// Redlock across three independent redis-server processes: with one down (or restarted empty) claims
// still reach a quorum and every message is processed once; with two down the library refuses with a
// typed error and processes nothing until a quorum is back.
import t from 'tap';
import { redisSkip, type TestRedis } from '../helpers/redis.js';
import { RedisUnavailableError, type Settlement } from '../../shared/idempotency/index.js';
import { crashScenario } from './crash-scenario.js';
import { channel, connect, consume, depth, idempotent, node, redis, Runs, sleep, until, type Scope } from './support.js';

async function three(t: Scope): Promise<TestRedis[]> {
  return Promise.all([redis(t), redis(t), redis(t)]);
}

t.test('one of three down: a message published many times is processed once', { skip: redisSkip }, async (t) => {
  const [n, servers] = await Promise.all([node(t), three(t)]);
  await servers[1]!.kill();
  const idem = idempotent(t, { redis: servers.map((s) => s.url), namespace: 'rl-dedup' });
  await idem.ready();
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  const ch = await channel(conn);
  const runs = new Runs();
  await consume(ch, 'q.rl', idem, async (_m, ctx) => {
    runs.record(ctx.id, ctx);
    await sleep(20);
  });
  const ids = [...Array(10).fill('rl-1'), 'rl-2', 'rl-3', 'rl-2', 'rl-3', 'rl-1'] as string[];
  for (const id of ids) pub.sendToQueue('q.rl', Buffer.from(id), { messageId: id });
  t.ok(await until(() => idem.stats.processed + idem.stats.duplicates === ids.length, 20_000), 'every copy settled');
  t.same(Object.fromEntries(runs.byId), { 'rl-1': 1, 'rl-2': 1, 'rl-3': 1 }, 'each id processed once');
  t.ok(runs.fences.every((f, i) => i === 0 || f > runs.fences[i - 1]!), `fences increase: ${runs.fences.join(',')}`);
  await ch.close();
  t.equal(await depth(pub, 'q.rl'), 0);
});

t.test('one of three killed mid-run and restarted empty: duplicates still recognised', { skip: redisSkip }, async (t) => {
  const servers = await three(t);
  const a = idempotent(t, { redis: servers.map((s) => s.url), namespace: 'rl-restart' });
  const b = idempotent(t, { redis: servers.map((s) => s.url), namespace: 'rl-restart' });
  await Promise.all([a.ready(), b.ready()]);
  let ran = 0;
  const work = async (): Promise<void> => {
    ran++;
    await sleep(100);
  };
  const race = async (id: string): Promise<Settlement[]> => Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).process(id, work)));

  await race('x-1');
  t.equal(ran, 1, 'x-1 once with all three up');
  await servers[2]!.kill();
  await race('x-2');
  t.equal(ran, 2, 'x-2 once with one down');
  await servers[2]!.restart(); // back, but it forgot everything
  await sleep(500); // the clients reconnect (backoff capped at 200 ms in these tests)
  const again = [...(await race('x-1')), ...(await race('x-2'))];
  t.equal(ran, 2, 'no reprocessing after the restart');
  t.ok(again.every((s) => s.action === 'ack' && s.reason === 'duplicate'), 'all acked as duplicates');
  const fences: number[] = [];
  for (const id of ['x-3', 'x-4']) await a.process(id, ({ fence }) => void fences.push(fence));
  t.ok(fences[1]! > fences[0]!, `fences still increase after the restart: ${fences.join(',')}`);
});

t.test('two of three down: typed error, nothing processed; quorum back: processed', { skip: redisSkip }, async (t) => {
  const servers = await three(t);
  const idem = idempotent(t, { redis: servers.map((s) => s.url), namespace: 'rl-quorum' });
  await idem.ready();
  await servers[0]!.kill();
  await servers[1]!.kill();
  let ran = 0;
  const s = await idem.process('q-1', () => void ran++);
  t.equal(ran, 0, 'not processed without a quorum');
  t.equal(s.action, 'nack');
  t.ok(s.action === 'nack' && s.requeue && s.reason === 'unavailable', 'requeued as unavailable');
  t.ok(s.action === 'nack' && s.error instanceof RedisUnavailableError, 'RedisUnavailableError');
  t.match(s.action === 'nack' ? s.error?.message : '', /quorum of 2 among 3/, 'the message names the quorum');
  await t.rejects(idem.ready(300), RedisUnavailableError);
  await servers[1]!.restart();
  t.ok(await until(async () => (await idem.process('q-1', () => void ran++)).action === 'ack', 5000), 'processed once a quorum is back');
  t.equal(ran, 1);
});

t.test('Redlock, one of three down: a consumer killed mid-handler is reprocessed once after the lease', { skip: redisSkip }, async (t) => {
  const servers = await three(t);
  await servers[0]!.kill();
  await crashScenario(t, servers.map((s) => s.url), 'rl-crash');
});
