// Overview: object and queue totals, message rates, listeners, and the node's resources.

import { get } from '../api.js';
import { bytes, duration, fill, h, num, rate, section, table } from '../dom.js';

const stat = (label, value, extra) => h('div', { class: 'stat' }, h('div', { class: 'stat-value', 'aria-label': label }, value), h('div', { class: 'stat-label' }, label), extra);

const bar = (used, limit, alarm) =>
  h('div', { class: `meter${alarm ? ' alarm' : ''}`, role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': limit, 'aria-valuenow': used }, h('span', { style: `width:${Math.min(100, limit ? (used / limit) * 100 : 0).toFixed(1)}%` }));

function totals(o) {
  const t = o.object_totals ?? {};
  const q = o.queue_totals ?? {};
  const m = o.message_stats ?? {};
  return [
    section('Totals', h('div', { class: 'stats' }, stat('Connections', num(t.connections)), stat('Channels', num(t.channels)), stat('Exchanges', num(t.exchanges)), stat('Queues', num(t.queues)), stat('Consumers', num(t.consumers)))),
    section('Queued messages', h('div', { class: 'stats' }, stat('Ready', num(q.messages_ready)), stat('Unacked', num(q.messages_unacknowledged)), stat('Total', num(q.messages)))),
    section(
      'Message rates',
      h(
        'div',
        { class: 'stats' },
        stat('Publish', rate(m.publish_details)),
        stat('Deliver / get', rate(m.deliver_get_details)),
        stat('Acknowledge', rate(m.ack_details)),
        stat('Redelivered', rate(m.redeliver_details)),
      ),
    ),
  ];
}

function nodes(list) {
  return table('Nodes', [
    { label: 'Name', get: (n) => n.name },
    { label: 'Running', get: (n) => (n.running ? 'yes' : 'no') },
    { label: 'Memory', get: (n) => [bar(n.mem_used, n.mem_limit, n.mem_alarm), `${bytes(n.mem_used)} of ${bytes(n.mem_limit)}${n.mem_alarm ? ' (alarm)' : ''}`] },
    { label: 'Disk free', get: (n) => `${bytes(n.disk_free)} (limit ${bytes(n.disk_free_limit)})${n.disk_free_alarm ? ' (alarm)' : ''}` },
    { label: 'Sockets', get: (n) => num(n.sockets_used) },
    { label: 'Processors', get: (n) => num(n.processors) },
    { label: 'Uptime', get: (n) => duration(n.uptime) },
    { label: 'PID', get: (n) => n.os_pid },
  ], list);
}

const listeners = (o) =>
  table('Listeners', [
    { label: 'Protocol', get: (l) => l.protocol },
    { label: 'Address', get: (l) => l.ip_address },
    { label: 'Port', get: (l) => String(l.port) },
  ], o.listeners ?? []);

export async function render(view) {
  const head = h('p', { class: 'muted' });
  const stats = h('div');
  const nodeBox = h('div');
  const listenerBox = h('div');
  fill(view.main, h('h1', {}, 'Overview'), head, stats, section('Nodes', nodeBox), section('Listeners', listenerBox));
  async function load() {
    const [o, ns] = await Promise.all([get('/overview'), view.can('monitoring') ? get('/nodes') : Promise.resolve(null)]);
    fill(head, `${o.product_name} ${o.product_version} · cluster ${o.cluster_name} · node ${o.node}`);
    fill(stats, totals(o));
    fill(nodeBox, ns ? nodes(ns) : h('p', { class: 'muted' }, 'Node details need the monitoring tag.'));
    fill(listenerBox, listeners(o));
  }
  await load();
  view.every(load);
}
