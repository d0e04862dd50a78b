/**
 * The VIP state machine on a simulated clock: takeover after the master-down interval, skew by priority,
 * resign, conflicts between two actives (epoch, then priority, then id), preemption by the active
 * yielding, and the track penalty.
 */
import t from 'tap';
import { decodeAdvert, encodeAdvert } from '../../proxy/vip/advert.js';
import { VipStateMachine, type Advert } from '../../proxy/vip/state-machine.js';

const I = 1000;
const machine = (id: string, priority: number, extra: { preempt?: boolean; trackWeight?: number } = {}) =>
  new VipStateMachine({ id, priority, preempt: extra.preempt ?? true, interval: I, deadAfter: 3, trackWeight: extra.trackWeight ?? 50 }, 0);
const advert = (id: string, role: Advert['role'], priority: number, extra: Partial<Advert> = {}): Advert => ({ group: 'g', id, role, priority, preempt: true, epoch: 0, interval: I, ...extra });

/** The first time (ms, stepping 10) at which the machine wants to be active, up to `limit`. */
function firstActive(m: VipStateMachine, from: number, limit: number, each?: (now: number) => void): number {
  for (let now = from; now <= limit; now += 10) {
    each?.(now);
    if (m.decide(now) === 'active') return now;
  }
  return Infinity;
}

t.test('alone: active after dead-after x interval + skew', async (t) => {
  const m = machine('a', 100);
  const skew = ((256 - 100) / 256) * I;
  t.equal(m.decide(0), 'standby');
  t.equal(firstActive(m, 0, 10_000), Math.ceil((3 * I + skew) / 10) * 10);
});

t.test('a live active keeps a standby standby; its silence hands over', async (t) => {
  const m = machine('b', 90);
  const at = firstActive(m, 0, 20_000, (now) => {
    if (now % I === 0 && now <= 5000) m.onAdvert(advert('a', 'active', 100), now);
  });
  t.ok(at > 5000 + 3 * I && at <= 5000 + 3 * I + I, `took over at ${at} ms: the last advert was at 5000`);
});

t.test('a resign hands over after the skew only', async (t) => {
  const m = machine('b', 200);
  m.onAdvert(advert('a', 'active', 100), 0);
  t.equal(m.decide(1000), 'standby');
  m.onAdvert(advert('a', 'resigning', 0), 1000);
  const skew = ((256 - 200) / 256) * I;
  t.equal(firstActive(m, 1000, 10_000), 1000 + Math.ceil(skew / 10) * 10);
});

t.test('a known active that now says standby counts as a resign', async (t) => {
  const m = machine('b', 250);
  m.onAdvert(advert('a', 'active', 100), 0);
  m.onAdvert(advert('a', 'standby', 100), 500);
  t.ok(firstActive(m, 500, 10_000) < 500 + I, 'well before the dead interval');
});

t.test('of two standbys the higher priority moves first, and the other yields to its advert', async (t) => {
  const hi = machine('hi', 200);
  const lo = machine('lo', 100);
  const hiAt = firstActive(hi, 0, 10_000);
  t.ok(hiAt < firstActive(machine('lo', 100), 0, 10_000));
  hi.becameActive(0);
  lo.onAdvert(hi.advert('g'), hiAt);
  t.equal(firstActive(lo, hiAt, hiAt + 2000, (now) => now % I === 0 && lo.onAdvert(hi.advert('g'), now)), Infinity);
});

t.test('two actives: the newer epoch wins, else priority, else the higher id', async (t) => {
  const m = machine('m', 100);
  m.becameActive(5);
  m.onAdvert(advert('x', 'active', 50, { epoch: 6 }), 0);
  t.equal(m.decide(1), 'standby', 'a newer lease wins over a higher priority');
  const n = machine('n', 100);
  n.becameActive(7);
  n.onAdvert(advert('x', 'active', 250, { epoch: 6 }), 0);
  t.equal(n.decide(1), 'active', 'an older lease loses whatever its priority');
  const p = machine('p', 100);
  p.becameActive(0);
  p.onAdvert(advert('q', 'active', 101), 0);
  t.equal(p.decide(1), 'standby');
  const r = machine('r', 100);
  r.becameActive(0);
  r.onAdvert(advert('s', 'active', 100), 0);
  t.equal(r.decide(1), 'standby', 'equal priority: the higher id (s > r) wins');
  const z = machine('z', 100);
  z.becameActive(0);
  z.onAdvert(advert('s', 'active', 100), 0);
  t.equal(z.decide(1), 'active');
});

t.test('preemption: the active yields to a higher standby that preempts, not to one that does not', async (t) => {
  const m = machine('a', 100);
  m.becameActive(0);
  m.onAdvert(advert('b', 'standby', 150, { preempt: false }), 0);
  t.equal(m.decide(1), 'active', 'no preempt: keep it');
  m.onAdvert(advert('b', 'standby', 150, { preempt: true }), 10);
  t.equal(m.decide(11), 'standby');
  t.equal(m.yieldingTo(11)?.id, 'b');
  t.equal(m.decide(10 + 3 * I + 1), 'active', 'a standby gone silent is no reason to yield');
});

t.test('a resigning peer is not a standby to yield to (regression: the new active handed back to a proxy shutting down)', async (t) => {
  const m = machine('b', 90);
  m.onAdvert(advert('a', 'active', 100), 0);
  m.onAdvert(advert('a', 'resigning', 100), 100);
  const at = firstActive(m, 100, 5000);
  m.becameActive(0);
  t.equal(m.decide(at + 10), 'active', 'stays active although the leaving peer had a higher priority');
});

t.test('a standby never takes the VIP from an active it hears, even a lower one', async (t) => {
  const m = machine('b', 200);
  const at = firstActive(m, 0, 8000, (now) => now % I === 0 && m.onAdvert(advert('a', 'active', 10), now));
  t.equal(at, Infinity);
});

t.test('track: priority drops by the weight; the active yields to a healthy standby even without preempt', async (t) => {
  const m = machine('a', 100, { trackWeight: 30 });
  m.becameActive(0);
  m.onAdvert(advert('b', 'standby', 90, { preempt: false }), 0);
  t.equal(m.decide(1), 'active');
  m.trackFailing = true;
  t.equal(m.priority, 70);
  t.equal(m.decide(2), 'standby');
  t.equal(m.advert('g').priority, 70, 'adverts carry the lowered priority');
});

t.test('adverts: JSON on the wire, HMAC checked, other groups ignored', async (t) => {
  const a = advert('a', 'active', 100, { epoch: 3 });
  const stamp = { boot: 'b1', seq: 7 };
  t.same(decodeAdvert(encodeAdvert(a, stamp, ''), '', 'g'), { advert: a, stamp });
  t.same(decodeAdvert(encodeAdvert(a, stamp, 'k'), 'k', 'g'), { advert: a, stamp });
  t.equal(decodeAdvert(encodeAdvert(a, stamp, 'k'), 'other', 'g'), null, 'wrong key');
  t.equal(decodeAdvert(encodeAdvert(a, stamp, ''), 'k', 'g'), null, 'unsigned when a key is set');
  t.equal(decodeAdvert(encodeAdvert(a, stamp, ''), '', 'h'), null, 'other group');
  t.equal(decodeAdvert(Buffer.from('{"v":2'), '', 'g'), null, 'garbage');
  t.equal(decodeAdvert(Buffer.from(JSON.stringify({ v: 1, ...a })), '', 'g'), null, 'version 1 (no stamp)');
  for (const [field, value] of [['priority', 254], ['seq', 99]] as const) {
    const forged = JSON.parse(encodeAdvert(a, stamp, 'k').toString()) as { body: string; mac: string };
    forged.body = JSON.stringify({ ...(JSON.parse(forged.body) as object), [field]: value });
    t.equal(decodeAdvert(Buffer.from(JSON.stringify(forged)), 'k', 'g'), null, `tampered ${field}`);
  }
});
