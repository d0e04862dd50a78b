// Exchanges: the list and the add-exchange form; an exchange's own page is exchange.js.

import { get, path, put } from '../api.js';
import { EXCHANGE_ARGS, exchangeFeatures, policyCell, vhostSelect } from '../common.js';
import { field, fill, form, h, input, link, notify, rate, route, section, select, table } from '../dom.js';
import { kvEditor } from '../kv-editor.js';

/** The default exchange has the empty name; its page is at .../amq.default, as in RabbitMQ's UI. */
export const DEFAULT_NAME = 'amq.default';
export const exchangeRoute = (vhost, name) => route('exchanges', vhost, name === '' ? DEFAULT_NAME : name);
export const exchangeLabel = (name) => (name === '' ? '(AMQP default)' : name);

export const TYPES = ['direct', 'fanout', 'topic', 'headers', 'x-message-deduplication'];

const COLUMNS = [
  { label: 'Virtual host', get: (x) => x.vhost },
  { label: 'Name', get: (x) => link(exchangeLabel(x.name), exchangeRoute(x.vhost, x.name)) },
  { label: 'Type', get: (x) => x.type },
  { label: 'Features', get: exchangeFeatures },
  { label: 'Policy', get: policyCell },
  { label: 'Rate in', get: (x) => rate(x.message_stats?.publish_in_details), cls: 'n' },
  { label: 'Rate out', get: (x) => rate(x.message_stats?.publish_out_details), cls: 'n' },
];

async function addForm(onAdded) {
  const vhost = await vhostSelect();
  const name = input({ required: true, autocomplete: 'off' });
  const type = select(TYPES);
  const durable = select([['true', 'Durable'], ['false', 'Transient']]);
  const autoDelete = select([['false', 'No'], ['true', 'Yes']]);
  const internal = select([['false', 'No'], ['true', 'Yes']]);
  const args = kvEditor('Arguments', EXCHANGE_ARGS);
  const fields = h('div', { class: 'row' }, field('Virtual host', vhost), field('Exchange name', name), field('Type', type), field('Durability', durable), field('Auto delete', autoDelete), field('Internal', internal));
  return form('Add an exchange', [fields, args.el], 'Add exchange', async () => {
    const body = { type: type.value, durable: durable.value === 'true', auto_delete: autoDelete.value === 'true', internal: internal.value === 'true', arguments: args.value() };
    await put(path`/exchanges/${vhost.value}/${name.value}`, body);
    notify(`Exchange '${name.value}' added.`, 'ok');
    name.value = '';
    args.set({});
    await onAdded();
  });
}

export async function render(view) {
  if (view.params.length >= 2) return (await import('./exchange.js')).render(view);
  const filter = input({ type: 'search', placeholder: 'name contains…' });
  const box = h('div');
  let all = [];
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    fill(box, table('Exchanges', COLUMNS, all.filter((x) => !f || x.name.toLowerCase().includes(f)), 'No exchanges.'));
  };
  const load = async () => {
    all = await get('/exchanges');
    all.sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
    draw();
  };
  filter.addEventListener('input', draw);
  fill(view.main, h('h1', {}, 'Exchanges'), section('All exchanges', field('Filter exchanges', filter), box));
  await load();
  view.main.append(await addForm(load));
  view.every(load);
}
