/**
 * Rates from the statistics sweep's readings (node/mgmt/rates.ts, sweep-order.ts), with hand-made
 * counters and sweep times: rates over the last window; on a read before a second reading, the rate
 * since the first; idle objects left untouched and, once they move again, rated over the last window only;
 * objects met out of order, gone or new; idle_since. And the written-out counter helpers cover every
 * counter.
 */
import t from 'tap';
import { addCounters, COUNTER_NAMES, MessageCounters, readCounters } from '../../node/broker/stats.js';
import { COUNTERS } from '../../node/mgmt/message-stats.js';
import { Rates } from '../../node/mgmt/rates.js';

const sweep = (rates: Rates, at: number, objects: readonly MessageCounters[]): void =>
  rates.sweep(at, (take) => {
    for (const o of objects) take(o, o, COUNTERS);
  });
const publishRate = (rates: Rates, c: MessageCounters): number => rates.rates(c, c, ['publish'])['publish']!;

t.test('readCounters and addCounters cover every counter, in COUNTER_NAMES order', async (t) => {
  const c = new MessageCounters();
  COUNTER_NAMES.forEach((name, i) => (c[name] = i + 1));
  const read = new Float64Array(COUNTER_NAMES.length + 2);
  readCounters(c, read, 2);
  t.same([...read.subarray(2)], COUNTER_NAMES.map((_, i) => i + 1));
  const sum = new MessageCounters();
  addCounters(sum, c);
  addCounters(sum, c);
  t.same(COUNTER_NAMES.map((name) => sum[name]), COUNTER_NAMES.map((_, i) => 2 * (i + 1)));
});

t.test('rates over the last window, and since the only reading when there is one', async (t) => {
  const rates = new Rates();
  const c = new MessageCounters();
  const start = Date.now() - 20_000;
  t.equal(publishRate(rates, c), 0, 'never read: 0');
  sweep(rates, start, [c]);
  c.publish = 30;
  // read 20 s after the only reading: 30 over 20 s
  t.ok(Math.abs(publishRate(rates, c) - 1.5) < 0.01, 'since the only reading');
  sweep(rates, start + 5000, [c]);
  t.equal(publishRate(rates, c), 6, '30 over the 5 s window');
  c.publish = 40;
  t.equal(publishRate(rates, c), 6, 'the window does not move between sweeps');
});

t.test('an idle object is left alone, then rated over the window that saw it move', async (t) => {
  const rates = new Rates();
  const busy = new MessageCounters();
  const idle = new MessageCounters();
  const start = Date.now() - 60_000;
  idle.publish = 7;
  for (let i = 0; i < 5; i++) {
    busy.publish += 10;
    sweep(rates, start + i * 5000, [busy, idle]);
  }
  t.equal(publishRate(rates, idle), 0);
  t.equal(publishRate(rates, busy), 2);
  t.equal(rates.idleSince(busy), null, 'a moving object is not idle');
  t.equal(rates.idleSince(idle), new Date(start).toISOString().replace('Z', '+00:00'), 'idle since its first reading');
  idle.publish += 50;
  sweep(rates, start + 25_000, [busy, idle]);
  t.equal(publishRate(rates, idle), 10, '50 over the last 5 s, not over the 25 s it was left alone');
  t.equal(rates.idleSince(idle), null);
  sweep(rates, start + 30_000, [busy, idle]);
  t.equal(publishRate(rates, idle), 0);
  t.equal(rates.idleSince(idle), new Date(start + 25_000).toISOString().replace('Z', '+00:00'), 'idle since it last moved');
});

t.test('objects gone (many at once), new ones between old ones: each keeps its own rate', async (t) => {
  const rates = new Rates();
  const start = Date.now() - 60_000;
  let objects = Array.from({ length: 300 }, () => new MessageCounters());
  sweep(rates, start, objects);
  // 150 in a row go away, 5 come in the middle; every one publishes its index
  objects = [...objects.slice(0, 50), ...Array.from({ length: 5 }, () => new MessageCounters()), ...objects.slice(200)];
  objects.forEach((o, i) => (o.publish += i));
  sweep(rates, start + 5000, objects);
  objects.forEach((o, i) => (o.publish += 5 * i));
  sweep(rates, start + 10_000, objects);
  t.same(
    objects.map((o) => publishRate(rates, o)),
    objects.map((_, i) => i),
    'each object rated from its own readings',
  );
});
