import { isTable, Typed, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import { senderSelectedKeys, type Message } from './message.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen';

const countOf = (d: FieldTable): number => Number((d['count'] as number | Typed | undefined)?.valueOf() ?? 0);

/**
 * The message as it leaves a queue for its dead-letter exchange, with RabbitMQ's bookkeeping: an `x-death`
 * entry per (queue, reason) with a count (most recent first; a repeated death counts up and keeps the
 * entry's first time), the `x-first-death-*` headers on the first death, and a per-message expiration
 * moved to `original-expiration` so the copy does not expire again. With a dead-letter routing key the
 * copy is routed on that key alone, so its CC header goes (and its BCC keys); without one it keeps both.
 */
export function deadLettered(msg: Message, queue: string, reason: DeathReason, dlx: string, dlrk: string | null): Message {
  const props = msg.properties;
  const headers: FieldTable = { ...(props.headers ?? {}) };
  const previous: FieldValue | undefined = headers['x-death'];
  const deaths = Array.isArray(previous) ? previous.filter(isTable) : [];
  const i = deaths.findIndex((d) => d['queue'] === queue && d['reason'] === reason);
  if (i >= 0) {
    const d = deaths.splice(i, 1)[0]!;
    deaths.unshift({ ...d, count: new Typed('l', countOf(d) + 1) });
  } else {
    const entry: FieldTable = {
      count: new Typed('l', 1),
      reason,
      queue,
      time: new Date(Math.floor(Date.now() / 1000) * 1000),
      exchange: msg.exchange,
      'routing-keys': [msg.routingKey, ...senderSelectedKeys(headers['CC']), ...senderSelectedKeys(headers['BCC'])],
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
  if (dlrk !== null) delete headers['CC'];
  const { expiration: _expired, ...rest } = props;
  const dead = msg.withProperties({ ...rest, headers }, dlrk ?? msg.routingKey, dlx);
  dead.bcc = dlrk === null ? msg.bcc : null;
  return dead;
}

/** The keys a dead letter is routed on: its routing key, then its CC and BCC keys (see deadLettered). */
export function deadLetterKeys(dead: Message): string[] {
  return [dead.routingKey, ...senderSelectedKeys(dead.properties.headers?.['CC']), ...(dead.bcc ?? [])];
}

/**
 * RabbitMQ drops a dead letter that would return to a queue it already died in when that cycle was fully
 * automatic: only the deaths since the last one in the target queue count (the x-death entries up to and
 * including the first for it), and a rejection among them, or an entry that is not a table (a client put
 * it there), means someone decided and the message goes on.
 */
export function isDeathCycle(dead: Message, targetQueue: string): boolean {
  const deaths = dead.properties.headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  for (const d of deaths) {
    if (!isTable(d) || d['reason'] === 'rejected') return false;
    if (d['queue'] === targetQueue) return true;
  }
  return false;
}
