// Bad options fail at construction with a typed error naming the option (no Redis needed).
import t from 'tap';
import { IdempotencyConfigError, IdempotentConsumer } from '../../shared/idempotency/index.js';

t.test('invalid options', async (t) => {
  const bad: [string, object][] = [
    ['leaseMs', { leaseMs: 5 }],
    ['renewIntervalMs', { leaseMs: 1000, renewIntervalMs: 1000 }],
    ['namespace', { namespace: 'a:b' }],
    ['redis', { redis: [] }],
    ['retentionMs', { retentionMs: 1.5 }],
  ];
  for (const [name, o] of bad) {
    t.throws(() => new IdempotentConsumer({ redis: 'redis://127.0.0.1:1', ...o }), IdempotencyConfigError, name);
    t.throws(() => new IdempotentConsumer({ redis: 'redis://127.0.0.1:1', ...o }), { code: 'WARREN_IDEMPOTENCY_CONFIG', message: new RegExp(name) });
  }
});
