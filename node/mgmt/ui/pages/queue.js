// One queue: its numbers (refreshed), arguments, effective policy, bindings, consumers, and the
// actions: publish and get messages, purge, delete.

import { del, get, path, post } from '../api.js';
import { policyCell, queueFeatures } from '../common.js';
import { button, bytes, facts as factTable, field, fill, flash, form, h, input, kvTable, link, notify, num, rate, route, section, select, show, table } from '../dom.js';
import { consumersTable } from '../consumers.js';
import { kvEditor } from '../kv-editor.js';
import { publishForm } from '../publish-form.js';

const ACK_MODES = [
  ['ack_requeue_true', 'Requeue (messages stay in the queue)'],
  ['ack_requeue_false', 'Acknowledge (remove them)'],
  ['reject_requeue_true', 'Reject and requeue'],
  ['reject_requeue_false', 'Reject without requeue (dead-letter)'],
];

/** The consumers table's first column: the channel each consumes on. */
const CHANNEL = { label: 'Channel', get: (c) => link(c.channel_details.name, route('channels', c.channel_details.name)) };

function queueFacts(q) {
  const m = q.message_stats ?? {};
  const rows = [
    ['Type', q.type],
    ['Features', queueFeatures(q)],
    ['State', q.state],
    ['Node', q.node],
    ['Policy', policyCell(q)],
    ['Consumers', num(q.consumers)],
    ['Ready', num(q.messages_ready)],
    ['Unacked', num(q.messages_unacknowledged)],
    ['Total', num(q.messages)],
    ['Message bytes', bytes(q.message_bytes)],
    ['Incoming', rate(m.publish_details)],
    ['Deliver / get', rate(m.deliver_get_details)],
    ['Ack', rate(m.ack_details)],
  ];
  return factTable('Queue details', rows);
}

function bindingsTable(bindings, reload) {
  return table(
    'Bindings',
    [
      { label: 'From', get: (b) => (b.source === '' ? '(default exchange)' : link(b.source, route('exchanges', b.vhost, b.source))) },
      { label: 'Routing key', get: (b) => b.routing_key },
      { label: 'Arguments', get: (b) => show(b.arguments) },
      {
        label: 'Action',
        get: (b) =>
          b.source === ''
            ? ''
            : button('Unbind', async () => {
                await del(path`/bindings/${b.vhost}/e/${b.source}/q/${b.destination}/${b.properties_key}`);
                notify('Binding removed.', 'ok');
                await reload();
              }, { class: 'small', 'aria-label': `Unbind from ${b.source} with key ${b.routing_key}` }),
      },
    ],
    bindings,
  );
}

function bindForm(q, reload) {
  const source = input({ required: true, autocomplete: 'off' });
  const key = input({ autocomplete: 'off' });
  const args = kvEditor('Binding arguments', {});
  return form('Add a binding to this queue', [h('div', { class: 'row' }, field('From exchange', source), field('Routing key', key)), args.el], 'Bind', async () => {
    await post(path`/bindings/${q.vhost}/e/${source.value}/q/${q.name}`, { routing_key: key.value, arguments: args.value() });
    notify(`Bound to '${source.value}'.`, 'ok');
    await reload();
  });
}

function message(m, i) {
  return h(
    'article',
    { class: 'card message', 'aria-label': `Message ${i + 1}` },
    h('h3', {}, `Message ${i + 1}`),
    h('p', { class: 'muted' }, `The server reported ${m.message_count} messages remaining.`),
    factTable(`Message ${i + 1} details`, [
      ['Exchange', m.exchange === '' ? '(default exchange)' : m.exchange],
      ['Routing key', m.routing_key],
      ['Redelivered', m.redelivered ? 'yes' : 'no'],
      ['Payload', `${m.payload_bytes} bytes, encoding ${m.payload_encoding}`],
    ], ['Field', 'Value']),
    kvTable(`Message ${i + 1} properties`, m.properties),
    h('pre', { class: 'payload', 'aria-label': `Message ${i + 1} payload` }, m.payload),
  );
}

function getForm(q) {
  const ackmode = select(ACK_MODES);
  const encoding = select([['auto', 'Auto string / base64'], ['base64', 'base64']]);
  const count = input({ type: 'number', min: 1, value: 1, required: true });
  const truncate = input({ type: 'number', min: 0, value: 50000 });
  const out = h('div', { class: 'messages' });
  const f = form('Get messages', h('div', { class: 'row' }, field('Ack mode', ackmode), field('Encoding', encoding), field('Messages', count), field('Truncate (bytes)', truncate)), 'Get messages', async () => {
    const body = { count: Number(count.value), ackmode: ackmode.value, encoding: encoding.value };
    if (truncate.value !== '') body.truncate = Number(truncate.value);
    const got = await post(path`/queues/${q.vhost}/${q.name}/get`, body);
    fill(out, got.length ? got.map(message) : h('p', { class: 'muted' }, 'Queue is empty.'));
  });
  return [f, out];
}

function dangerZone(q, reload) {
  const purge = button('Purge messages', async () => {
    if (!window.confirm(`Purge all ready messages from queue '${q.name}'?`)) return;
    await del(path`/queues/${q.vhost}/${q.name}/contents`);
    notify(`Queue '${q.name}' purged.`, 'ok');
    await reload();
  }, { class: 'warn' });
  const remove = button('Delete queue', async () => {
    if (!window.confirm(`Delete queue '${q.name}' and every message in it?`)) return;
    await del(path`/queues/${q.vhost}/${q.name}`);
    flash(`Queue '${q.name}' deleted.`);
    location.hash = '#/queues';
  }, { class: 'danger' });
  return h('div', { class: 'card actions' }, purge, remove);
}

export async function render(view) {
  const [vhost, name] = view.params;
  const base = path`/queues/${vhost}/${name}`;
  const q = await get(base);
  const factsBox = h('div');
  const bindBox = h('div');
  const consBox = h('div');
  const loadConsumers = async () => fill(consBox, consumersTable((await get(path`/consumers/${vhost}`)).filter((c) => c.queue?.name === name), CHANNEL));
  const loadFacts = async () => {
    fill(factsBox, queueFacts(await get(base)));
    await loadConsumers();
  };
  const loadBindings = async () => fill(bindBox, bindingsTable(await get(`${base}/bindings`), loadBindings));
  fill(
    view.main,
    h('p', {}, link('← Queues', '#/queues')),
    h('h1', {}, `Queue ${name}`, h('span', { class: 'muted' }, ` in virtual host ${vhost}`)),
    section('Details', factsBox),
    section('Arguments', kvTable('Arguments', q.arguments)),
    section('Effective policy definition', kvTable('Effective policy definition', q.effective_policy_definition)),
    section('Consumers', consBox),
    section('Bindings', bindBox, bindForm(q, loadBindings)),
    section('Messages', publishForm(vhost, '', name), getForm(q), dangerZone(q, loadFacts)),
  );
  fill(factsBox, queueFacts(q));
  await Promise.all([loadConsumers(), loadBindings()]);
  view.every(loadFacts);
}
