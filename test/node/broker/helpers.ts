/**
 * Plumbing shared by the broker integration tests: a node per test file, amqplib connections closed at
 * teardown, every wait bounded, and small readers over queues. All traffic goes over real TCP.
 */
import { once, type EventEmitter } from 'node:events';
import { AMQPClient, type AMQPBaseClient } from '@cloudamqp/amqp-client';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { startTestNode, type TestNode } from '../../helpers/node.js';
import { sleep } from '../../helpers/wait.js';

/** The part of a tap test the helpers need. */
export interface Scope {
  teardown(fn: () => unknown): void;
}

/** What amqplib rejects with (or emits) when the server closes a channel or the connection. */
export type AmqpFailure = Error & { code?: number; classId?: number; methodId?: number };

/** How long any single wait may take; generous because CI machines are often loaded. */
export const WAIT_MS = 10_000;

class TimeoutError extends Error {}

/** `p`, or a rejection once `ms` have passed without it settling. */
export function within<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export { sleep };

/** Polls until `ready()` holds (every 10 ms, bounded like every other wait). */
export async function until(ready: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  await within(
    (async () => {
      while (!ready()) await sleep(10);
    })(),
    what,
    ms,
  );
}

/**
 * Set to an AMQP URL (e.g. a fresh RabbitMQ's) to run these suites against that broker instead of an
 * in-process node: the check that the expectations are RabbitMQ's. The suites leave queues behind, so
 * point it at a broker nothing else uses.
 */
const EXTERNAL_URL = process.env['WARREN_BROKER_TESTS_URL'];

/** A node in this process for the whole file, closed when the file's tests are done. */
export async function nodeFor(t: Scope): Promise<Pick<TestNode, 'url'>> {
  if (EXTERNAL_URL) return { url: EXTERNAL_URL };
  const node = await startTestNode();
  t.teardown(() => node.close());
  return node;
}

/** An amqplib connection closed at teardown; server-sent errors are left to the test to observe. */
export async function connect(t: Scope, url: string): Promise<ChannelModel> {
  const conn = await within(amqp.connect(url), `a connection to ${url}`);
  conn.on('error', () => {});
  t.teardown(() => within(conn.close(), 'connection close').catch(() => {}));
  return conn;
}

/** A @cloudamqp/amqp-client connection closed at teardown. */
export async function cloudamqpConnect(t: Scope, url: string): Promise<AMQPBaseClient> {
  const conn = await within(new AMQPClient(url).connect(), `a @cloudamqp/amqp-client connection to ${url}`);
  conn.onerror = () => {};
  t.teardown(() => within(conn.close(), 'connection close').catch(() => {}));
  return conn;
}

function quiet<C extends Channel>(ch: C): C {
  ch.on('error', () => {});
  return ch;
}

export const channel = async (conn: ChannelModel): Promise<Channel> => quiet(await within(conn.createChannel(), 'channel.open'));
export const confirmChannel = async (conn: ChannelModel): Promise<ConfirmChannel> =>
  quiet(await within(conn.createConfirmChannel(), 'confirm.select'));

/** The error `p` rejects with; fails if it succeeds or hangs. */
export async function rejection(p: Promise<unknown>, what = 'a server error'): Promise<AmqpFailure> {
  try {
    await within(p, what);
  } catch (e) {
    if (e instanceof TimeoutError) throw e;
    return e as AmqpFailure;
  }
  throw new Error(`expected ${what}, but the operation succeeded`);
}

/** The next 'error' a channel or connection emits (the server closed it). */
export function nextError(emitter: EventEmitter, what = 'a channel/connection close'): Promise<AmqpFailure> {
  return within(once(emitter, 'error').then(([e]) => e as AmqpFailure), what);
}

/** The reply text exactly as the server sent it, e.g. `NOT_FOUND - no queue 'x' in vhost '/'`. */
export function replyText(e: AmqpFailure): string {
  return /with message "(.*)"$/s.exec(e.message)?.[1] ?? e.message;
}

/** Publishes on a confirm channel and resolves on the broker's ack. */
export function publishConfirmed(ch: ConfirmChannel, exchange: string, key: string, body: string | Buffer, options: Options.Publish = {}): Promise<void> {
  const sent = new Promise<void>((resolve, reject) => {
    ch.publish(exchange, key, Buffer.from(body), options, (err: unknown) => (err ? reject(err as Error) : resolve()));
  });
  return within(sent, `the confirm of a publish to '${exchange}'/'${key}'`);
}

/** Every ready message of a queue, taken with basic.get (no-ack) until get-empty; bodies as text. */
export async function drain(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await within(ch.get(queue, { noAck: true }), `basic.get from ${queue}`);
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

/** Publishes one message and lists which of `queues` received it (each is drained, so probes do not mix). */
export async function routedTo(ch: ConfirmChannel, exchange: string, key: string, queues: readonly string[], options: Options.Publish = {}): Promise<string[]> {
  await publishConfirmed(ch, exchange, key, 'probe', options);
  const hit: string[] = [];
  for (const q of queues) {
    const n = (await drain(ch, q)).length;
    if (n > 0) hit.push(n === 1 ? q : `${q} x${n}`);
  }
  return hit;
}

/** Declares each queue (non-durable) and binds it to `exchange` with its own name as the binding key. */
export async function queuesBoundByName(ch: Channel, exchange: string, names: readonly string[]): Promise<void> {
  for (const q of names) {
    await ch.assertQueue(q, { durable: false });
    await ch.bindQueue(q, exchange, q);
  }
}

/** A consumer that collects deliveries; `next(n)` waits until `n` have arrived in total. */
export class Collector {
  readonly messages: ConsumeMessage[] = [];
  cancelled = false;
  tag = '';
  private waiters: { n: number; resolve: () => void }[] = [];

  static async start(ch: Channel, queue: string, options: Options.Consume = {}): Promise<Collector> {
    const c = new Collector();
    const ok = await within(ch.consume(queue, (m) => c.push(m), options), `basic.consume on ${queue}`);
    c.tag = ok.consumerTag;
    return c;
  }

  private push(m: ConsumeMessage | null): void {
    if (m === null) this.cancelled = true;
    else this.messages.push(m);
    const ready = this.waiters.filter((w) => this.messages.length >= w.n || this.cancelled);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Resolves once `n` deliveries (in total) have arrived, or the server cancelled the consumer. */
  next(n: number, ms = WAIT_MS): Promise<ConsumeMessage[]> {
    if (this.messages.length >= n || this.cancelled) return Promise.resolve(this.messages);
    const arrived = new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    return within(arrived, `${n} deliveries to consumer ${this.tag}`, ms).then(() => this.messages);
  }

  get bodies(): string[] {
    return this.messages.map((m) => m.content.toString());
  }
}
