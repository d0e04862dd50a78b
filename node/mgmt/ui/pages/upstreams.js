// Admin > Federation upstreams: the federation-upstream parameters a federation policy names
// (the notes' step "add upstream" before "add policy").

import { del, get, path, put } from '../api.js';
import { vhostSelect } from '../common.js';
import { button, field, fill, form, h, input, notify, section, select, show, table } from '../dom.js';
import { kvEditor } from '../kv-editor.js';

const COMPONENT = 'federation-upstream';
const EXTRA = { 'prefetch-count': 'number', 'reconnect-delay': 'number', 'max-hops': 'number', expires: 'number', 'message-ttl': 'number', exchange: 'string', queue: 'string', 'trust-user-id': 'boolean' };

/** The URI without its password. */
const redact = (uri) => uri.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');

export async function render(view) {
  const box = h('div');
  const load = async () => {
    const list = await get(path`/parameters/${COMPONENT}`);
    const remove = (p) =>
      button('Delete', async () => {
        if (!window.confirm(`Delete upstream '${p.name}'?`)) return;
        await del(path`/parameters/${COMPONENT}/${p.vhost}/${p.name}`);
        notify(`Upstream '${p.name}' deleted.`, 'ok');
        await load();
      }, { class: 'small danger', 'aria-label': `Delete upstream ${p.name}` });
    fill(box, table('Federation upstreams', [
      { label: 'Virtual host', get: (p) => p.vhost },
      { label: 'Name', get: (p) => p.name },
      { label: 'URI', get: (p) => redact(show(p.value?.uri)) },
      { label: 'Ack mode', get: (p) => p.value?.['ack-mode'] ?? 'on-confirm' },
      { label: 'Other settings', get: (p) => show(Object.fromEntries(Object.entries(p.value ?? {}).filter(([k]) => k !== 'uri' && k !== 'ack-mode'))) },
      { label: 'Action', get: remove },
    ], list, 'No upstreams.'));
  };
  const vhost = await vhostSelect();
  const name = input({ required: true, autocomplete: 'off' });
  const uri = input({ required: true, autocomplete: 'off', placeholder: 'amqp://user:password@host:5672' });
  const ackMode = select(['on-confirm', 'on-publish', 'no-ack']);
  const extra = kvEditor('Upstream settings', EXTRA);
  const f = form('Add an upstream', [h('div', { class: 'row' }, field('Virtual host', vhost), field('Name', name), field('URI', uri), field('Ack mode', ackMode)), extra.el], 'Add upstream', async () => {
    const value = { uri: uri.value, 'ack-mode': ackMode.value, ...extra.value() };
    await put(path`/parameters/${COMPONENT}/${vhost.value}/${name.value}`, { value });
    notify(`Upstream '${name.value}' saved.`, 'ok');
    await load();
  });
  fill(view.main, h('h1', {}, 'Federation upstreams'), section('All upstreams', box, f), h('p', { class: 'muted' }, 'A policy with federation-upstream (or federation-upstream-set) set to an upstream name federates the exchanges or queues it matches.'));
  await load();
}
