// Queues: the list (filtered by name, refreshed every 5 s) and the add-queue form; a queue's own page
// is queue.js.

import { get, path, put } from '../api.js';
import { QUEUE_ARGS, policyCell, queueFeatures, vhostSelect } from '../common.js';
import { field, fill, form, h, input, link, notify, num, rate, route, section, select, table } from '../dom.js';
import { kvEditor } from '../kv-editor.js';

const COLUMNS = [
  { label: 'Virtual host', get: (q) => q.vhost },
  { label: 'Name', get: (q) => link(q.name, route('queues', q.vhost, q.name)) },
  { label: 'Type', get: (q) => q.type },
  { label: 'Features', get: queueFeatures },
  { label: 'Policy', get: policyCell },
  { label: 'State', get: (q) => q.state },
  { label: 'Ready', get: (q) => num(q.messages_ready), cls: 'n' },
  { label: 'Unacked', get: (q) => num(q.messages_unacknowledged), cls: 'n' },
  { label: 'Total', get: (q) => num(q.messages), cls: 'n' },
  { label: 'Incoming', get: (q) => rate(q.message_stats?.publish_details), cls: 'n' },
  { label: 'Deliver / get', get: (q) => rate(q.message_stats?.deliver_get_details), cls: 'n' },
  { label: 'Ack', get: (q) => rate(q.message_stats?.ack_details), cls: 'n' },
  { label: 'Consumers', get: (q) => num(q.consumers), cls: 'n' },
];

async function addForm(onAdded) {
  const vhost = await vhostSelect();
  const name = input({ required: true, autocomplete: 'off' });
  const durable = select([['true', 'Durable'], ['false', 'Transient']]);
  const autoDelete = select([['false', 'No'], ['true', 'Yes']]);
  const args = kvEditor('Arguments', QUEUE_ARGS);
  return form(
    'Add a queue',
    [h('div', { class: 'row' }, field('Virtual host', vhost), field('Queue name', name), field('Durability', durable), field('Auto delete', autoDelete)), args.el],
    'Add queue',
    async () => {
      const body = { durable: durable.value === 'true', auto_delete: autoDelete.value === 'true', arguments: args.value() };
      await put(path`/queues/${vhost.value}/${name.value}`, body);
      notify(`Queue '${name.value}' added.`, 'ok');
      name.value = '';
      args.set({});
      await onAdded();
    },
  );
}

export async function render(view) {
  if (view.params.length >= 2) return (await import('./queue.js')).render(view);
  const filter = input({ type: 'search', placeholder: 'name contains…' });
  const box = h('div');
  const count = h('span', { class: 'muted' });
  let all = [];
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    const rows = all.filter((q) => !f || q.name.toLowerCase().includes(f));
    fill(count, `${rows.length} of ${all.length}`);
    fill(box, table('Queues', COLUMNS, rows, 'No queues.'));
  };
  const load = async () => {
    all = await get('/queues');
    all.sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
    draw();
  };
  filter.addEventListener('input', draw);
  fill(view.main, h('h1', {}, 'Queues'), section('All queues', h('div', { class: 'row' }, field('Filter queues', filter), count), box));
  await load();
  view.main.append(await addForm(load));
  view.every(load);
}
