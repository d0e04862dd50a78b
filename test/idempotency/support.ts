// Plumbing for the idempotency tests: a Warren node and redis-server processes per test (closed and
// killed at teardown), amqplib connections, consumers that count handler runs per id, bounded waits.
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { startTestNode, type TestNode } from '../helpers/node.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { amqplibHandler, IdempotentConsumer, type ClaimContext, type IdempotencyOptions } from '../../shared/idempotency/index.js';

export interface Scope {
  teardown(fn: () => unknown): void;
}

/** The assertions the shared scenarios use (a tap Test satisfies it). */
export interface Checks extends Scope {
  ok(value: unknown, message: string): boolean;
  equal(found: unknown, wanted: unknown, message: string): boolean;
}

export { eventually as until, sleep } from '../helpers/wait.js';

export async function node(t: Scope): Promise<TestNode> {
  const n = await startTestNode();
  t.teardown(() => n.close());
  return n;
}

export async function redis(t: Scope): Promise<TestRedis> {
  const r = await startRedis();
  t.teardown(() => r.kill());
  return r;
}

export async function connect(t: Scope, url: string): Promise<ChannelModel> {
  const conn = await amqp.connect(url);
  conn.on('error', () => undefined);
  t.teardown(() => conn.close().catch(() => undefined));
  return conn;
}

export async function channel(conn: ChannelModel): Promise<Channel> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  return ch;
}

/** A consumer with test-friendly timings, closed at teardown; errors collected in `errors`. */
export function idempotent(t: Scope, options: IdempotencyOptions): IdempotentConsumer & { errors: Error[] } {
  const errors: Error[] = [];
  const c = new IdempotentConsumer({
    leaseMs: 2000,
    requeueDelayMs: 100,
    connect: { maxBackoffMs: 200, commandTimeoutMs: 1000 },
    onError: (e) => errors.push(e),
    ...options,
  });
  t.teardown(() => c.close());
  return Object.assign(c, { errors });
}

/** Handler runs per id, and the fencing tokens handed out. */
export class Runs {
  readonly byId = new Map<string, number>();
  readonly fences: number[] = [];
  record(id: string, ctx: ClaimContext): void {
    this.byId.set(id, (this.byId.get(id) ?? 0) + 1);
    this.fences.push(ctx.fence);
  }
  count(id: string): number {
    return this.byId.get(id) ?? 0;
  }
  get total(): number {
    let n = 0;
    for (const v of this.byId.values()) n += v;
    return n;
  }
}

/** Declares a fresh queue, and consumes it through the amqplib adapter with prefetch. */
export async function consume(
  ch: Channel,
  queue: string,
  idem: IdempotentConsumer,
  handler: (msg: ConsumeMessage, ctx: ClaimContext) => unknown,
  prefetch = 10,
): Promise<string> {
  await ch.assertQueue(queue, { durable: false });
  await ch.prefetch(prefetch);
  const { consumerTag } = await ch.consume(queue, amqplibHandler(idem, ch, handler), { noAck: false });
  return consumerTag;
}

export async function depth(ch: Channel, queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount;
}

/** Unacked + ready messages are both gone: the queue is empty and nothing is held by a consumer. */
export async function drained(ch: Channel, queue: string, unsettled: () => number): Promise<boolean> {
  return (await depth(ch, queue)) === 0 && unsettled() === 0;
}
