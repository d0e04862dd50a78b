// One connection: its properties, client properties and channels (refreshed every 5 s), and closing it
// with a reason the client is told.

import { path } from '../api.js';
import { bytes, facts, field, fill, flash, form, h, input, kvTable, link, num, section, table } from '../dom.js';
import { byteRate, CLOSE_REASON, channelColumns, clientLabel, closeConnection, connectionState, unlessGone } from './connections.js';

function connectionFacts(c) {
  return facts('Connection details', [
    ['Virtual host', c.vhost],
    ['User', c.user],
    ['State', connectionState(c)],
    ['Protocol', c.protocol],
    ['Client', clientLabel(c)],
    ['Client-provided name', c.user_provided_name ?? '–'],
    ['Client address', `${c.peer_host}:${c.peer_port}`],
    ['Server address', `${c.host}:${c.port}`],
    ['TLS', c.ssl ? c.ssl_protocol : 'no'],
    ['Authentication', c.auth_mechanism],
    ['Connected at', new Date(c.connected_at).toLocaleString()],
    ['Heartbeat', `${c.timeout} s`],
    ['Frame max', `${num(c.frame_max)} bytes`],
    ['Channel max', num(c.channel_max)],
    ['From client', `${byteRate(c.recv_oct_details)} (${bytes(c.recv_oct)} in all)`],
    ['To client', `${byteRate(c.send_oct_details)} (${bytes(c.send_oct)} in all)`],
  ]);
}

function closeForm(name) {
  const reason = input({ value: CLOSE_REASON, autocomplete: 'off' });
  return form('Close this connection', field('Reason', reason, 'Sent to the client with the close.'), 'Close connection', async () => {
    if (!(await closeConnection(name, reason.value))) return;
    flash(`Connection ${name} closed.`);
    location.hash = '#/connections';
  });
}

export async function render(view) {
  const [name] = view.params;
  const base = path`/connections/${name}`;
  const box = h('div');
  const close = closeForm(name);
  const load = async () => {
    const [c, channels] = await Promise.all([unlessGone(base), unlessGone(`${base}/channels`)]);
    close.hidden = !c;
    if (!c) return void fill(box, h('p', { class: 'muted' }, 'This connection is closed.'));
    fill(
      box,
      section('Details', connectionFacts(c)),
      section('Client properties', kvTable('Client properties', c.client_properties)),
      section('Channels', table('Channels', channelColumns(false), channels ?? [], 'No channels.')),
    );
  };
  fill(view.main, h('p', {}, link('← Connections', '#/connections')), h('h1', {}, `Connection ${name}`), box, close);
  await load();
  view.every(load);
}
