import { COUNTER_NAMES, readCounters, type CounterName, type MessageCounters } from '../broker/stats.js';
import { round, type Rates, type Reader } from './rates.js';

/** The kinds of object whose message_stats RabbitMQ shows, each with its own set of counters. */
export type StatsKind = 'queue' | 'exchange' | 'channel' | 'overview';

type Shown = readonly (readonly [CounterName, string])[];

const PUBLISHING: Shown = [
  ['publish', 'publish'],
  ['confirm', 'confirm'],
  ['returnUnroutable', 'return_unroutable'],
  ['dropUnroutable', 'drop_unroutable'],
];
const CONSUMING: Shown = [
  ['deliver', 'deliver'],
  ['deliverNoAck', 'deliver_no_ack'],
  ['get', 'get'],
  ['getNoAck', 'get_no_ack'],
  ['getEmpty', 'get_empty'],
  ['redeliver', 'redeliver'],
  ['ack', 'ack'],
];

/**
 * The counters RabbitMQ 3.10 shows for each kind, with their JSON names (the key sets are compared with a
 * live RabbitMQ's in test/mgmt/api-rabbitmq-message-stats.test.ts). The overview sums channels, as
 * RabbitMQ's sums its channels' statistics per vhost.
 */
const SHOWN: Readonly<Record<StatsKind, Shown>> = {
  exchange: [
    ['publishIn', 'publish_in'],
    ['publishOut', 'publish_out'],
  ],
  queue: [['publish', 'publish'], ...CONSUMING],
  channel: [...PUBLISHING, ...CONSUMING],
  overview: [...PUBLISHING, ...CONSUMING],
};

/** How the statistics sweep reads message counters: all of them, whatever a kind shows. */
export const COUNTERS: Reader<MessageCounters> = { fields: COUNTER_NAMES, read: readCounters };

/** Added up as deliver_get where RabbitMQ shows it (everywhere but exchanges). */
const DELIVER_GET: readonly CounterName[] = ['deliver', 'deliverNoAck', 'get', 'getNoAck'];

/** RabbitMQ's message_stats: each counter with a `<name>_details: { rate }` beside it. */
export function messageStatsJson(kind: StatsKind, counts: Readonly<MessageCounters>, rates: Readonly<Record<string, number>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, json] of SHOWN[kind]) {
    out[json] = counts[name];
    out[`${json}_details`] = { rate: round(rates[name] ?? 0) };
  }
  if (kind === 'exchange') return out;
  out['deliver_get'] = DELIVER_GET.reduce((n, f) => n + counts[f], 0);
  out['deliver_get_details'] = { rate: round(DELIVER_GET.reduce((n, f) => n + (rates[f] ?? 0), 0)) };
  return out;
}

/** An object's message_stats, its rates from the sweep's readings of `c`. */
export const messageStats = (rates: Rates, kind: StatsKind, c: MessageCounters): Record<string, unknown> => messageStatsJson(kind, c, rates.rates(c, c, COUNTER_NAMES));
