// Connections (with close) and Channels: two tables refreshed every 5 s. A connection's own page is
// connection.js, a channel's channel.js.

import { del, get, path } from '../api.js';
import { button, bytes, fill, h, link, notify, num, rate, route, section, table, tag } from '../dom.js';

export const byteRate = (d) => `${bytes(d?.rate ?? 0)}/s`;
export const clientLabel = (c) => {
  const p = c.client_properties ?? {};
  return [p.product, p.version].filter((x) => typeof x === 'string').join(' ') || '–';
};

export const connectionState = (c) => [c.state, c.blocked_reason ? tag('blocked', String(c.blocked_reason), 'warn') : null];

/** The object at `apiPath`, or null once it has gone: a connection or channel closing is no error to show. */
export const unlessGone = (apiPath) =>
  get(apiPath).catch((e) => {
    if (e.status === 404) return null;
    throw e;
  });

/** The reason the client is told when the UI closes its connection (the connection page lets it be changed). */
export const CLOSE_REASON = 'Closed via Warren management UI';

/** Closes a connection once the user confirms, telling the client `reason` (X-Reason, as RabbitMQ's UI sends it); false if cancelled. */
export async function closeConnection(name, reason) {
  if (!window.confirm(`Close connection ${name}?`)) return false;
  await del(path`/connections/${name}`, { 'X-Reason': reason });
  return true;
}

function connectionColumns(reload) {
  const close = (c) =>
    button('Close', async () => {
      if (!(await closeConnection(c.name, CLOSE_REASON))) return;
      notify('Connection closed.', 'ok');
      await reload();
    }, { class: 'small danger', 'aria-label': `Close connection ${c.name}` });
  return [
    { label: 'Name', get: (c) => link(c.name, route('connections', c.name)) },
    { label: 'User', get: (c) => c.user },
    { label: 'Virtual host', get: (c) => c.vhost },
    { label: 'State', get: connectionState },
    { label: 'Protocol', get: (c) => c.protocol },
    { label: 'Client', get: clientLabel },
    { label: 'Channels', get: (c) => num(c.channels), cls: 'n' },
    { label: 'From client', get: (c) => byteRate(c.recv_oct_details), cls: 'n' },
    { label: 'To client', get: (c) => byteRate(c.send_oct_details), cls: 'n' },
    { label: 'Action', get: close },
  ];
}

export const channelMode = (c) => h('span', { class: 'tags' }, c.confirm ? tag('C', 'confirm mode') : null, c.transactional ? tag('T', 'transactional') : null);

/** A channel's columns; `owner` adds its user and vhost (a connection's page shows those once for all). */
export const channelColumns = (owner) => [
  { label: 'Channel', get: (c) => link(c.name, route('channels', c.name)) },
  ...(owner ? [{ label: 'User', get: (c) => c.user }, { label: 'Virtual host', get: (c) => c.vhost }] : []),
  { label: 'Mode', get: channelMode },
  { label: 'State', get: (c) => c.state },
  { label: 'Prefetch', get: (c) => num(c.prefetch_count || c.global_prefetch_count), cls: 'n' },
  { label: 'Unacked', get: (c) => num(c.messages_unacknowledged), cls: 'n' },
  { label: 'Consumers', get: (c) => num(c.consumer_count), cls: 'n' },
  { label: 'Publish', get: (c) => rate(c.message_stats?.publish_details), cls: 'n' },
  { label: 'Deliver / get', get: (c) => rate(c.message_stats?.deliver_get_details), cls: 'n' },
  { label: 'Ack', get: (c) => rate(c.message_stats?.ack_details), cls: 'n' },
];

export async function render(view) {
  const channels = view.page === 'channels';
  if (view.params.length >= 1) return (await import(channels ? './channel.js' : './connection.js')).render(view);
  const box = h('div');
  const load = async () => {
    const list = await get(channels ? '/channels' : '/connections');
    fill(box, channels ? table('Channels', channelColumns(true), list, 'No channels.') : table('Connections', connectionColumns(load), list, 'No connections.'));
  };
  fill(view.main, h('h1', {}, channels ? 'Channels' : 'Connections'), section(channels ? 'All channels' : 'All connections', box));
  await load();
  view.every(load);
}
