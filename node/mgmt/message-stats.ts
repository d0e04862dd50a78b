import { COUNTER_NAMES, readCounters, type CounterName, type MessageCounters } from '../broker/stats.js';
import { round, type Rates, type Reader } from './rates.js';

/** The kinds of object whose message_stats RabbitMQ shows, each with its own set of counters. */
export type StatsKind = 'queue' | 'exchange' | 'channel';

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
 * The counters RabbitMQ 3.10 shows for each kind of object, with their JSON names (the key sets are
 * compared with a live RabbitMQ's in test/mgmt/api-rabbitmq-message-stats.test.ts), in groups: RabbitMQ
 * shows a group once the object has counted anything in it (a publishing channel has no deliver keys, an
 * idle queue no message_stats at all).
 */
const GROUPS: Readonly<Record<StatsKind, readonly Shown[]>> = {
  exchange: [
    [
      ['publishIn', 'publish_in'],
      ['publishOut', 'publish_out'],
    ],
  ],
  queue: [[['publish', 'publish']], CONSUMING],
  channel: [PUBLISHING, CONSUMING],
};

/** How the statistics sweep reads message counters: all of them, whatever a kind shows. */
export const COUNTERS: Reader<MessageCounters> = { fields: COUNTER_NAMES, read: readCounters };

/** Added up as deliver_get where RabbitMQ shows it (everywhere but exchanges). */
const DELIVER_GET: readonly CounterName[] = ['deliver', 'deliverNoAck', 'get', 'getNoAck'];

/** Messages delivered to consumers or fetched with basic.get: RabbitMQ's deliver_get. */
export const deliveredOrGot = (c: Readonly<MessageCounters>): number => DELIVER_GET.reduce((n, f) => n + c[f], 0);

/** The counters `shown` with a `<name>_details: { rate }` beside each, and deliver_get beside the consuming ones. */
function statsJson(shown: Shown, counts: Readonly<MessageCounters>, rates: Readonly<Record<string, number>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, json] of shown) {
    out[json] = counts[name];
    out[`${json}_details`] = { rate: round(rates[name] ?? 0) };
  }
  if (!('deliver' in out)) return out;
  out['deliver_get'] = deliveredOrGot(counts);
  out['deliver_get_details'] = { rate: round(DELIVER_GET.reduce((n, f) => n + (rates[f] ?? 0), 0)) };
  return out;
}

/**
 * An object's message_stats: the groups it has counted anything in, rates from the sweep's readings kept
 * under `key` (the counters themselves, but for queues: the queue, read with its depth); undefined (no
 * message_stats) before that.
 */
export function messageStats(rates: Rates, kind: StatsKind, c: MessageCounters, key: object = c): Record<string, unknown> | undefined {
  const groups = GROUPS[kind].filter((g) => g.some(([name]) => c[name] > 0));
  return groups.length === 0 ? undefined : statsJson(groups.flat(), c, rates.rates(key, c, COUNTER_NAMES));
}

/** The overview's and a vhost's message_stats: every key, as RabbitMQ sums its channels' statistics. */
export const totalStatsJson = (counts: Readonly<MessageCounters>, rates: Readonly<Record<string, number>>): Record<string, unknown> =>
  statsJson([...PUBLISHING, ...CONSUMING], counts, rates);
