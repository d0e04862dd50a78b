// Connections (with close) and Channels: two tables refreshed every 5 s.

import { del, get, path } from '../api.js';
import { button, bytes, fill, h, notify, num, rate, section, table, tag } from '../dom.js';

const byteRate = (d) => `${bytes(d?.rate ?? 0)}/s`;
const client = (c) => {
  const p = c.client_properties ?? {};
  return [p.product, p.version].filter((x) => typeof x === 'string').join(' ') || '–';
};

function connectionColumns(reload) {
  const close = (c) =>
    button('Close', async () => {
      if (!window.confirm(`Close connection ${c.name}?`)) return;
      await del(path`/connections/${c.name}`, { 'X-Reason': 'Closed via Warren management UI' });
      notify('Connection closed.', 'ok');
      await reload();
    }, { class: 'small danger', 'aria-label': `Close connection ${c.name}` });
  return [
    { label: 'Name', get: (c) => c.name },
    { label: 'User', get: (c) => c.user },
    { label: 'Virtual host', get: (c) => c.vhost },
    { label: 'State', get: (c) => [c.state, c.blocked_reason ? tag('blocked', String(c.blocked_reason), 'warn') : null] },
    { label: 'Protocol', get: (c) => c.protocol },
    { label: 'Client', get: client },
    { label: 'Channels', get: (c) => num(c.channels), cls: 'n' },
    { label: 'From client', get: (c) => byteRate(c.recv_oct_details), cls: 'n' },
    { label: 'To client', get: (c) => byteRate(c.send_oct_details), cls: 'n' },
    { label: 'Action', get: close },
  ];
}

const CHANNEL_COLUMNS = [
  { label: 'Channel', get: (c) => c.name },
  { label: 'User', get: (c) => c.user },
  { label: 'Virtual host', get: (c) => c.vhost },
  { label: 'Mode', get: (c) => h('span', { class: 'tags' }, c.confirm ? tag('C', 'confirm mode') : null, c.transactional ? tag('T', 'transactional') : null) },
  { label: 'State', get: (c) => c.state },
  { label: 'Prefetch', get: (c) => num(c.prefetch_count || c.global_prefetch_count), cls: 'n' },
  { label: 'Unacked', get: (c) => num(c.messages_unacknowledged), cls: 'n' },
  { label: 'Consumers', get: (c) => num(c.consumer_count), cls: 'n' },
  { label: 'Publish', get: (c) => rate(c.message_stats?.publish_details), cls: 'n' },
  { label: 'Deliver / get', get: (c) => rate(c.message_stats?.deliver_get_details), cls: 'n' },
  { label: 'Ack', get: (c) => rate(c.message_stats?.ack_details), cls: 'n' },
];

export async function render(view) {
  const box = h('div');
  const channels = view.page === 'channels';
  const load = async () => {
    const list = await get(channels ? '/channels' : '/connections');
    fill(box, channels ? table('Channels', CHANNEL_COLUMNS, list, 'No channels.') : table('Connections', connectionColumns(load), list, 'No connections.'));
  };
  fill(view.main, h('h1', {}, channels ? 'Channels' : 'Connections'), section(channels ? 'All channels' : 'All connections', box));
  await load();
  view.every(load);
}
