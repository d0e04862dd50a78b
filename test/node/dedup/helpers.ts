/**
 * Plumbing for the deduplication tests (exchange type `x-message-deduplication` and the queue argument
 * `x-message-deduplication`), on top of the broker tests' helpers: nodes on a data folder that survives a
 * restart, publishes carrying `x-deduplication-header`, and queue readers. Every wait is bounded.
 */
import type { Channel, ConfirmChannel, Message, Options } from 'amqplib';
import type { NodeConfig } from '../../../node/index.js';
import { startTestNode, tempDataDir, type TestNode } from '../../helpers/node.js';
import { sleep, within, type Scope } from '../broker/helpers.js';

export {
  channel,
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

export const DEDUP = 'x-message-deduplication';

/** A node in this process for the whole file. */
export async function nodeFor(t: Scope): Promise<TestNode> {
  const node = await startTestNode();
  t.teardown(() => node.close());
  return node;
}

/**
 * Before closing a node on a data folder: let the message store's fdatasync in flight (e.g. for the settle
 * records of the last acks) finish. Closing during one makes SegmentLog.close() close the descriptor under
 * it, and the EBADF it then reports stops the whole test process with exit code 70.
 */
const STORE_IDLE_MS = 100;

/**
 * A node on a data folder of the test's own, restartable on the same folder: `restart()` closes the
 * running node and starts another on that folder. The last node and the folder go at teardown.
 */
export async function restartableNode(t: Scope, overrides: Partial<NodeConfig> = {}): Promise<{ readonly dir: string; current(): TestNode; restart(): Promise<TestNode> }> {
  const data = tempDataDir();
  let node: TestNode | null = await startTestNode({ ...overrides, dataDir: data.dir });
  t.teardown(async () => {
    await sleep(STORE_IDLE_MS);
    await node?.close();
    data.remove();
  });
  return {
    dir: data.dir,
    current: () => node!,
    restart: async () => {
      await sleep(STORE_IDLE_MS);
      await within(node!.close(), 'node close');
      node = null;
      node = await startTestNode({ ...overrides, dataDir: data.dir });
      return node;
    },
  };
}

/** Headers for a message deduplicated on `value` (undefined: no dedup header), plus any extra ones. */
export function dedupHeaders(value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return value === undefined ? { ...extra } : { 'x-deduplication-header': value, ...extra };
}

/** Publishes one message on a confirm channel and resolves with whether the broker acked it. */
export function publishAcked(ch: ConfirmChannel, exchange: string, key: string, body: string, options: Options.Publish = {}): Promise<boolean> {
  const settled = new Promise<boolean>((resolve) => {
    ch.publish(exchange, key, Buffer.from(body), options, (err: unknown) => resolve(!err));
  });
  return within(settled, `the confirm of '${body}' published to '${exchange}'/'${key}'`);
}

/** Publishes `[body, dedup value]` pairs in order, each confirmed (and acked) before the next. */
export async function publishEach(ch: ConfirmChannel, exchange: string, key: string, items: readonly (readonly [string, unknown])[], options: Options.Publish = {}): Promise<void> {
  for (const [body, value] of items) {
    const acked = await publishAcked(ch, exchange, key, body, { ...options, headers: dedupHeaders(value, options.headers as Record<string, unknown>) });
    if (!acked) throw new Error(`publish of '${body}' was nacked`);
  }
}

/** Ready messages in a queue (queue.declare passive). */
export async function depth(ch: Channel, queue: string): Promise<number> {
  return (await within(ch.checkQueue(queue), `queue.declare passive ${queue}`)).messageCount;
}

/** Takes the next ready message with basic.get (acks pending), failing if the queue is empty. */
export async function getOne(ch: Channel, queue: string): Promise<Message> {
  const m = await within(ch.get(queue, { noAck: false }), `basic.get from ${queue}`);
  if (m === false) throw new Error(`queue '${queue}' is empty`);
  return m;
}

/** Polls `cond` every 10 ms; resolves whether it held within `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Declares transient queues bound (fanout: any key) to `exchange`. */
export async function boundQueues(ch: Channel, exchange: string, names: readonly string[]): Promise<void> {
  for (const q of names) {
    await ch.assertQueue(q, { durable: false });
    await ch.bindQueue(q, exchange, '');
  }
}
