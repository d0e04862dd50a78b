// One channel: its connection, mode, prefetch, unacked messages, message rates and consumers
// (refreshed every 5 s).

import { path } from '../api.js';
import { consumersTable } from '../consumers.js';
import { facts, fill, h, link, num, rate, route, section } from '../dom.js';
import { channelMode, unlessGone } from './connections.js';

/** The consumers table's first column: the queue each consumes from. */
const QUEUE = { label: 'Queue', get: (c) => link(c.queue.name, route('queues', c.queue.vhost, c.queue.name)) };

function channelFacts(ch) {
  const m = ch.message_stats ?? {};
  return facts('Channel details', [
    ['Connection', link(ch.connection_details.name, route('connections', ch.connection_details.name))],
    ['Number', String(ch.number)],
    ['Virtual host', ch.vhost],
    ['User', ch.user],
    ['State', ch.state],
    ['Mode', channelMode(ch)],
    ['Prefetch (each consumer)', num(ch.prefetch_count)],
    ['Prefetch (channel)', num(ch.global_prefetch_count)],
    ['Unacked', num(ch.messages_unacknowledged)],
    ['Consumers', num(ch.consumer_count)],
    ['Publish', rate(m.publish_details)],
    ['Confirm', rate(m.confirm_details)],
    ['Deliver / get', rate(m.deliver_get_details)],
    ['Redelivered', rate(m.redeliver_details)],
    ['Ack', rate(m.ack_details)],
  ]);
}

export async function render(view) {
  const [name] = view.params;
  const box = h('div');
  const load = async () => {
    const ch = await unlessGone(path`/channels/${name}`);
    if (!ch) return void fill(box, h('p', { class: 'muted' }, 'This channel is closed.'));
    fill(box, section('Details', channelFacts(ch)), section('Consumers', consumersTable(ch.consumer_details, QUEUE)));
  };
  fill(view.main, h('p', {}, link('← Channels', '#/channels')), h('h1', {}, `Channel ${name}`), box);
  await load();
  view.every(load);
}
