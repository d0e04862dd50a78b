// A consumer killed with SIGKILL in the middle of its handler: its claims expire after the lease and
// each message is processed again exactly once by a surviving consumer (never zero times, never twice).
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import { crashScenario } from './crash-scenario.js';
import { redis } from './support.js';

t.test('consumer killed mid-handler: one reprocessing after the lease', { skip: redisSkip }, async (t) => {
  const r = await redis(t);
  await crashScenario(t, [r.url], 'crash-single');
});
