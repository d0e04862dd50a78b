/**
 * The structures recovery uses instead of a Map and a string per record: the live index keeps id order and
 * settles by id whatever order ids arrive in, and the queue interner tells queues apart by their raw name
 * bytes even when records alternate between queues.
 */
import t from 'tap';
import { LiveIndex } from '../../../node/store/live-index.js';
import { QueueInterner } from '../../../node/store/queue-interner.js';

t.test('live index: id order, settle by id, any arrival order', async (t) => {
  const live = new LiveIndex<string>();
  for (const id of [3, 5, 9]) live.add(id, `m${id}`);
  live.add(4, 'm4'); // out of order: placed by id
  live.add(5, 'm5b'); // the same id again: the later record wins
  t.equal(live.take(9), 'm9');
  t.equal(live.take(9), null, 'settled once');
  t.equal(live.take(7), null, 'unknown id');
  t.same([...live.values()], ['m3', 'm4', 'm5b']);
  t.equal(live.size, 3);
});

t.test('queue interner: one object per queue, by name bytes', async (t) => {
  const name = (vhost: string, queue: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(vhost)]), Buffer.from(vhost), Buffer.from([Buffer.byteLength(queue)]), Buffer.from(queue)]);
  const q = new QueueInterner((vhost, queue) => ({ vhost, queue }));
  const a = name('/', 'qa');
  const b = name('/', 'qb');
  const padded = Buffer.concat([Buffer.from([7, 7]), name('/', 'qa')]);
  const first = q.get(a, 0, a.length);
  t.same(first, { vhost: '/', queue: 'qa' });
  t.equal(q.get(padded, 2, padded.length), first, 'same bytes elsewhere in a buffer: same queue');
  const second = q.get(b, 0, b.length);
  t.same(second, { vhost: '/', queue: 'qb' });
  t.equal(q.get(a, 0, a.length), first, 'alternating queues');
  const x = name('v', 'é');
  t.same(q.get(x, 0, x.length), { vhost: 'v', queue: 'é' }, 'utf8 names');
  t.equal([...q.values()].length, 3);
});
