import { Typed, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import type { Message } from './message.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen';

const countOf = (d: FieldTable): number => Number((d['count'] as number | Typed | undefined)?.valueOf() ?? 0);

/**
 * The message as it leaves a queue for its dead-letter exchange, with RabbitMQ's bookkeeping: an `x-death`
 * entry per (queue, reason) with a count (most recent first), the `x-first-death-*` headers on the first
 * death, and a per-message expiration moved to `original-expiration` so the copy does not expire again.
 */
export function deadLettered(msg: Message, queue: string, reason: DeathReason, dlx: string, dlrk: string | null): Message {
  const props = msg.properties;
  const headers: FieldTable = { ...(props.headers ?? {}) };
  const previous: FieldValue | undefined = headers['x-death'];
  const deaths = Array.isArray(previous) ? (previous.filter((d) => typeof d === 'object' && d !== null && !Array.isArray(d)) as FieldTable[]) : [];
  const i = deaths.findIndex((d) => d['queue'] === queue && d['reason'] === reason);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  if (i >= 0) {
    const d = deaths.splice(i, 1)[0]!;
    deaths.unshift({ ...d, count: new Typed('l', countOf(d) + 1), time: now });
  } else {
    const cc = headers['CC'];
    const entry: FieldTable = {
      count: new Typed('l', 1),
      reason,
      queue,
      time: now,
      exchange: msg.exchange,
      'routing-keys': [msg.routingKey, ...(Array.isArray(cc) ? cc : [])],
    };
    if (props.expiration !== undefined) entry['original-expiration'] = props.expiration;
    deaths.unshift(entry);
  }
  headers['x-death'] = deaths;
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queue;
    headers['x-first-death-exchange'] = msg.exchange;
  }
  const { expiration: _expired, ...rest } = props;
  return msg.withProperties({ ...rest, headers }, dlrk ?? msg.routingKey, dlx);
}

/**
 * RabbitMQ drops a dead-lettered message that would return to a queue it already died in, unless one of
 * its deaths was a rejection (a consumer decided, so the cycle is intended).
 */
export function isDeathCycle(msg: Message, targetQueue: string): boolean {
  const deaths = msg.properties.headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  let seen = false;
  for (const d of deaths) {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) continue;
    const t = d as FieldTable;
    if (t['reason'] === 'rejected') return false;
    if (t['queue'] === targetQueue) seen = true;
  }
  return seen;
}
