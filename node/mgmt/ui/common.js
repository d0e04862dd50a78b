// Pieces several pages share: the vhost picker, feature tags, and the argument keys RabbitMQ knows.

import { get } from './api.js';
import { h, select, show, tag } from './dom.js';

/** A <select> of the vhosts the user can see, '/' first. */
export async function vhostSelect(attrs = {}) {
  const vhosts = (await get('/vhosts')).map((v) => v.name).sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
  return select(vhosts, attrs);
}

/** Queue arguments shown as short tags, as RabbitMQ's UI does. */
const QUEUE_ARG_TAGS = {
  'x-message-ttl': 'TTL',
  'x-expires': 'Exp',
  'x-max-length': 'Lim',
  'x-max-length-bytes': 'Lim B',
  'x-overflow': 'Ovfl',
  'x-dead-letter-exchange': 'DLX',
  'x-dead-letter-routing-key': 'DLK',
  'x-max-priority': 'Pri',
  'x-single-active-consumer': 'SAC',
  'x-message-deduplication': 'Dedup',
};

export function queueFeatures(q) {
  const args = q.arguments ?? {};
  return h(
    'span',
    { class: 'tags' },
    q.durable ? tag('D', 'durable') : null,
    q.auto_delete ? tag('AD', 'auto-delete') : null,
    q.exclusive ? tag('Excl', 'exclusive') : null,
    Object.entries(args).map(([k, v]) => {
      if (k === 'x-queue-mode') return v === 'lazy' ? tag('Lazy', 'x-queue-mode: lazy') : null;
      return tag(QUEUE_ARG_TAGS[k] ?? 'Args', `${k}: ${show(v)}`);
    }),
  );
}

export function exchangeFeatures(x) {
  const args = x.arguments ?? {};
  return h(
    'span',
    { class: 'tags' },
    x.durable ? tag('D', 'durable') : null,
    x.auto_delete ? tag('AD', 'auto-delete') : null,
    x.internal ? tag('I', 'internal') : null,
    Object.entries(args).map(([k, v]) => tag(k === 'alternate-exchange' ? 'AE' : 'Args', `${k}: ${show(v)}`)),
  );
}

/** Policy name with the operator policy beside it, or a dash. */
export const policyCell = (o) => (o.policy || o.operator_policy ? h('span', {}, o.policy ?? '', o.operator_policy ? tag(`op: ${o.operator_policy}`, 'operator policy') : null) : '–');

export const QUEUE_ARGS = {
  'x-message-ttl': 'number',
  'x-expires': 'number',
  'x-max-length': 'number',
  'x-max-length-bytes': 'number',
  'x-overflow': 'string',
  'x-dead-letter-exchange': 'string',
  'x-dead-letter-routing-key': 'string',
  'x-max-priority': 'number',
  'x-queue-mode': 'string',
  'x-single-active-consumer': 'boolean',
  'x-message-deduplication': 'boolean',
};

export const EXCHANGE_ARGS = { 'alternate-exchange': 'string' };

/** Keys a policy definition may hold, with their value types. */
export const POLICY_KEYS = {
  'message-ttl': 'number',
  expires: 'number',
  'max-length': 'number',
  'max-length-bytes': 'number',
  overflow: 'string',
  'dead-letter-exchange': 'string',
  'dead-letter-routing-key': 'string',
  'queue-mode': 'string',
  'alternate-exchange': 'string',
  'ha-mode': 'string',
  'ha-params': 'number',
  'ha-sync-mode': 'string',
  'ha-sync-batch-size': 'number',
  'ha-promote-on-shutdown': 'string',
  'ha-promote-on-failure': 'string',
  'federation-upstream': 'string',
  'federation-upstream-set': 'string',
};

export const OPERATOR_POLICY_KEYS = { 'message-ttl': 'number', expires: 'number', 'max-length': 'number', 'max-length-bytes': 'number', overflow: 'string' };

/** A definition as compact key=value tags. */
export const definitionTags = (def) => h('span', { class: 'tags' }, Object.entries(def ?? {}).map(([k, v]) => tag(`${k}: ${show(v)}`)));
