/**
 * Plumbing for the reliability tests (confirms, returns, alternate exchanges, dead-lettering, TTL, limits,
 * priorities, consumers). Builds on the broker tests' helpers (node per file, amqplib connections closed at
 * teardown, bounded waits) and adds: a log of what the broker sent a confirm channel, in arrival order;
 * @cloudamqp/amqp-client connections; policies set in-process and cleared at teardown; x-death readers.
 */
import type { Channel, ConfirmChannel, Message } from 'amqplib';
import { AMQPClient, type AMQPChannel } from '@cloudamqp/amqp-client';
import type { ApplyTo, PolicyDefinition, PolicyKind } from '../../../node/broker/policies.js';
import type { Vhost } from '../../../node/broker/vhost.js';
import { startTestNode, type TestNode } from '../../helpers/node.js';
import { within, type AmqpFailure, type Scope } from '../broker/helpers.js';
import { eventually as until } from '../../helpers/wait.js';

export { until };
export {
  channel,
  Collector,
  confirmChannel,
  connect,
  drain,
  rejection,
  replyText,
  sleep,
  within,
  type AmqpFailure,
  type Scope,
} from '../broker/helpers.js';

/** An in-process node for the whole file (policies are set on it directly), closed after the file's tests. */
export async function nodeFor(t: Scope): Promise<TestNode> {
  const node = await startTestNode();
  t.teardown(() => node.close());
  return node;
}


/** Ready messages in a queue (queue.declare passive). */
export async function depth(ch: Channel, queue: string): Promise<number> {
  return (await within(ch.checkQueue(queue), `queue.declare passive ${queue}`)).messageCount;
}

/** One publish settled by the broker: its sequence number and whether it was acked. */
export type Confirmation = { readonly seq: number; readonly ok: boolean };

/**
 * Every basic.ack / basic.nack / basic.return the broker sends on an amqplib confirm channel, in arrival
 * order (raw listeners on the channel's events, not amqplib's callbacks). Acks with `multiple` are expanded
 * into the publish sequence numbers they settle, so a test can check each publish was settled exactly once.
 */
export class ConfirmLog {
  /** The frames as they arrived, e.g. `ack 5 multiple`, `return 312 NO_ROUTE amq.direct/nowhere`. */
  readonly frames: string[] = [];
  /** Publish sequence numbers in the order they were settled. */
  readonly settled: Confirmation[] = [];
  /** Settlements naming a publish already settled (must stay empty). */
  readonly duplicates: number[] = [];
  readonly returns: Message[] = [];
  private readonly done = new Set<number>();

  static watch(ch: ConfirmChannel): ConfirmLog {
    const log = new ConfirmLog();
    const settle = (ok: boolean) => (f: { deliveryTag: number; multiple: boolean }) => log.record(ok, f.deliveryTag, f.multiple);
    ch.on('ack', settle(true));
    ch.on('nack', settle(false));
    ch.on('return', (m: Message) => {
      log.returns.push(m);
      const f = m.fields as unknown as { replyCode: number; replyText: string; exchange: string; routingKey: string };
      log.frames.push(`return ${f.replyCode} ${f.replyText} ${f.exchange}/${f.routingKey} ${m.content.toString()}`);
    });
    return log;
  }

  private record(ok: boolean, tag: number, multiple: boolean): void {
    this.frames.push(`${ok ? 'ack' : 'nack'} ${tag}${multiple ? ' multiple' : ''}`);
    const seqs = multiple ? Array.from({ length: tag }, (_, i) => i + 1).filter((s) => !this.done.has(s)) : [tag];
    if (seqs.length === 0) this.duplicates.push(tag);
    for (const seq of seqs) {
      if (this.done.has(seq)) this.duplicates.push(seq);
      this.done.add(seq);
      this.settled.push({ seq, ok });
    }
  }

  /** Resolves once `n` publishes have been settled. */
  async settledCount(n: number, ms = 3000): Promise<Confirmation[]> {
    if (!(await until(() => this.settled.length >= n, ms))) {
      throw new Error(`only ${this.settled.length} of ${n} publishes confirmed after ${ms} ms: ${this.frames.join(', ')}`);
    }
    return this.settled;
  }
}

/** The server error `p` fails with, or null if it succeeded (for checks that may be marked todo). */
export async function failureOf(p: Promise<unknown>, what: string): Promise<AmqpFailure | null> {
  return within(p, what).then(
    () => null,
    (e: AmqpFailure) => e,
  );
}

/** The error the server closed a channel with within `ms`, or null if it stayed open. */
export function closedWithin(ch: Channel, ms: number): Promise<AmqpFailure | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    ch.once('error', (e: AmqpFailure) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

/** A @cloudamqp/amqp-client connection, closed at teardown; server-sent errors are left to the test. */
export async function cloudConnect(t: Scope, url: string): Promise<AMQPClient> {
  const client = new AMQPClient(url, undefined, null);
  client.onerror = () => {};
  await within(client.connect(), `a @cloudamqp connection to ${url}`);
  t.teardown(() => (client.closed ? undefined : within(client.close(), '@cloudamqp close').catch(() => {})));
  return client;
}

export async function cloudChannel(client: AMQPClient): Promise<AMQPChannel> {
  const ch = await within(client.channel(), '@cloudamqp channel.open');
  ch.onerror = () => {};
  return ch;
}

/** The error a @cloudamqp promise rejects with, as text (e.g. `channel 1 closed: PRECONDITION_FAILED - ... (406)`). */
export async function cloudRejection(p: Promise<unknown>, what: string): Promise<string> {
  try {
    await within(p, what);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${what} to fail, but it succeeded`);
}

export const vhostOf = (node: TestNode): Vhost => node.node.broker.vhosts.get('/')!;

/** Sets a (user or operator) policy in-process on vhost '/', cleared at teardown. */
export function policy(
  t: Scope,
  node: TestNode,
  kind: PolicyKind,
  name: string,
  pattern: string,
  definition: PolicyDefinition,
  opts: { applyTo?: ApplyTo; priority?: number } = {},
): void {
  const vhost = vhostOf(node);
  vhost.setPolicy(kind, { name, pattern, applyTo: opts.applyTo ?? 'queues', priority: opts.priority ?? 0, definition });
  t.teardown(() => vhost.clearPolicy(kind, name));
}

/** The `x-death` entries of a dead-lettered message, most recent first. */
export function deaths(m: Message): Record<string, unknown>[] {
  const xd: unknown = m.properties.headers?.['x-death'];
  return Array.isArray(xd) ? (xd as Record<string, unknown>[]) : [];
}

/** The comparable part of an x-death entry (time checked separately). */
export function death(d: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!d) return {};
  const { time: _time, ...rest } = d;
  return rest;
}

/** amqplib decodes AMQP timestamps as `{ '!': 'timestamp', value: seconds }`. */
export function timestampSeconds(v: unknown): number | undefined {
  return typeof v === 'object' && v !== null && (v as { '!'?: unknown })['!'] === 'timestamp' ? Number((v as { value: unknown }).value) : undefined;
}

/** Takes the next message with basic.get (manual ack), waiting up to `ms` for one to arrive. */
export async function getOne(ch: Channel, queue: string, ms = 3000): Promise<Message> {
  let got: Message | false = false;
  const ok = await until(async () => (got = await within(ch.get(queue), `basic.get from ${queue}`)) !== false, ms);
  if (!ok || got === false) throw new Error(`no message arrived in ${queue} within ${ms} ms`);
  return got;
}
