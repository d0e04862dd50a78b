// One exchange: details, bindings both ways, add a binding, publish a message, delete.

import { del, get, path, post } from '../api.js';
import { exchangeFeatures, policyCell } from '../common.js';
import { button, facts as factTable, field, fill, flash, form, h, input, kvTable, link, notify, rate, route, section, select, show, table } from '../dom.js';
import { kvEditor } from '../kv-editor.js';
import { publishForm } from '../publish-form.js';
import { DEFAULT_NAME, exchangeLabel, exchangeRoute } from './exchanges.js';

function exchangeFacts(x) {
  const m = x.message_stats ?? {};
  const rows = [
    ['Type', x.type],
    ['Features', exchangeFeatures(x)],
    ['Policy', policyCell(x)],
    ['Rate in', rate(m.publish_in_details)],
    ['Rate out', rate(m.publish_out_details)],
  ];
  return factTable('Exchange details', rows);
}

const destLink = (b) => (b.destination_type === 'queue' ? link(b.destination, route('queues', b.vhost, b.destination)) : link(b.destination, exchangeRoute(b.vhost, b.destination)));

function bindingTable(label, bindings, outgoing, reload) {
  const unbind = (b) =>
    button('Unbind', async () => {
      await del(path`/bindings/${b.vhost}/e/${b.source}/${b.destination_type === 'queue' ? 'q' : 'e'}/${b.destination}/${b.properties_key}`);
      notify('Binding removed.', 'ok');
      await reload();
    }, { class: 'small', 'aria-label': `Unbind ${b.source} to ${b.destination} with key ${b.routing_key}` });
  return table(label, [
    outgoing ? { label: 'To', get: destLink } : { label: 'From', get: (b) => link(exchangeLabel(b.source), exchangeRoute(b.vhost, b.source)) },
    { label: 'Kind', get: (b) => b.destination_type },
    { label: 'Routing key', get: (b) => b.routing_key },
    { label: 'Arguments', get: (b) => show(b.arguments) },
    { label: 'Action', get: unbind },
  ], bindings, 'No bindings.');
}

function bindForm(x, reload) {
  const kind = select([['q', 'Queue'], ['e', 'Exchange']]);
  const dest = input({ required: true, autocomplete: 'off' });
  const key = input({ autocomplete: 'off' });
  const args = kvEditor('Binding arguments', {});
  return form('Add a binding from this exchange', [h('div', { class: 'row' }, field('Destination type', kind), field('Destination name', dest), field('Routing key', key)), args.el], 'Bind', async () => {
    await post(path`/bindings/${x.vhost}/e/${x.name}/${kind.value}/${dest.value}`, { routing_key: key.value, arguments: args.value() });
    notify(`Bound to '${dest.value}'.`, 'ok');
    await reload();
  });
}

export async function render(view) {
  const [vhost, raw] = view.params;
  const name = raw === DEFAULT_NAME ? '' : raw;
  const base = path`/exchanges/${vhost}/${name}`;
  // The API cannot address the default exchange by name (an empty path segment): read it from the list.
  const fetchOne = async () => (name === '' ? (await get(path`/exchanges/${vhost}`)).find((e) => e.name === '') : get(base));
  const x = await fetchOne();
  const factsBox = h('div');
  const outBox = h('div');
  const inBox = h('div');
  const loadFacts = async () => fill(factsBox, exchangeFacts(await fetchOne()));
  const loadBindings = async () => {
    if (name === '') return;
    const [out, inbound] = await Promise.all([get(`${base}/bindings/source`), get(`${base}/bindings/destination`)]);
    fill(outBox, bindingTable('Bindings from this exchange', out, true, loadBindings));
    fill(inBox, bindingTable('Bindings to this exchange', inbound, false, loadBindings));
  };
  const remove =
    name === '' || name.startsWith('amq.')
      ? null
      : button('Delete exchange', async () => {
          if (!window.confirm(`Delete exchange '${name}'?`)) return;
          await del(base);
          flash(`Exchange '${name}' deleted.`);
          location.hash = '#/exchanges';
        }, { class: 'danger' });
  fill(
    view.main,
    h('p', {}, link('← Exchanges', '#/exchanges')),
    h('h1', {}, `Exchange ${exchangeLabel(name)}`, h('span', { class: 'muted' }, ` in virtual host ${vhost}`)),
    section('Details', factsBox),
    section('Arguments', kvTable('Arguments', x.arguments)),
    name === ''
      ? section('Bindings', h('p', { class: 'muted' }, 'The default exchange is bound implicitly to every queue, with the queue name as routing key.'))
      : section('Bindings', h('h3', {}, 'From this exchange'), outBox, h('h3', {}, 'To this exchange'), inBox, bindForm(x, loadBindings)),
    publishForm(vhost, name),
    remove ? section('Delete', h('div', { class: 'card actions' }, remove)) : null,
  );
  fill(factsBox, exchangeFacts(x));
  await loadBindings();
  view.every(loadFacts);
}
