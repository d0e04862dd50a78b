/**
 * Plumbing for the storage tests: temporary data folders removed at teardown, nodes spawned as child
 * processes on a given data folder (killed at teardown whatever happened), kill -9, counting and parsing
 * the message store's segment files, consuming whole queues, and reading a process's RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import type { Queue, QueueEntry } from '../../../node/broker/queue.js';
import { freePort, ROOT, tempDataDir, waitForPort, type SpawnedNode } from '../../helpers/node.js';
import { within, type Scope } from '../broker/helpers.js';

export { replyText, sleep, within, type Scope } from '../broker/helpers.js';
export { eventually as until } from '../../helpers/wait.js';

/** These tests start processes and sync to disk on a shared machine: every wait is bounded, generously. */
export const SLOW_MS = 30_000;

/** An amqplib connection closed at teardown; server-sent errors are left to the test. */
export async function connect(t: Scope, url: string): Promise<ChannelModel> {
  const conn = await within(amqp.connect(url), `a connection to ${url}`, SLOW_MS);
  conn.on('error', () => {});
  t.teardown(() => within(conn.close(), 'connection close', SLOW_MS).catch(() => {}));
  return conn;
}

export async function channel(conn: ChannelModel): Promise<Channel> {
  const ch = await within(conn.createChannel(), 'channel.open', SLOW_MS);
  ch.on('error', () => {});
  return ch;
}

export async function confirmChannel(conn: ChannelModel): Promise<ConfirmChannel> {
  const ch = await within(conn.createConfirmChannel(), 'confirm.select', SLOW_MS);
  ch.on('error', () => {});
  return ch;
}

/** Publishes one message on a confirm channel and resolves on the broker's ack. */
export function publishConfirmed(ch: ConfirmChannel, exchange: string, key: string, body: string | Buffer, options: Options.Publish = {}): Promise<void> {
  const sent = new Promise<void>((resolve, reject) => {
    ch.publish(exchange, key, Buffer.from(body), options, (err: unknown) => (err ? reject(err as Error) : resolve()));
  });
  return within(sent, `the confirm of a publish to '${exchange}'/'${key}'`, SLOW_MS);
}

/** The error `p` rejects with (a server error); fails if it succeeds. */
export async function rejection(p: Promise<unknown>, what: string): Promise<Error & { code?: number }> {
  const outcome = await within(
    p.then(
      () => null,
      (e: unknown) => e as Error & { code?: number },
    ),
    what,
    SLOW_MS,
  );
  if (outcome === null) throw new Error(`expected ${what} to fail, but it succeeded`);
  return outcome;
}
export { startTestNode, tempDataDir, type SpawnedNode, type TestNode } from '../../helpers/node.js';

/** A fresh data folder, removed at teardown. */
export function dataDir(t: Scope): string {
  const d = tempDataDir();
  t.teardown(d.remove);
  return d.dir;
}


const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

/** Ends a child process with `signal` and waits (bounded) for it to exit; a no-op if it already has. */
export async function stopChild(c: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', ms = SLOW_MS): Promise<void> {
  if (exited(c)) return;
  const gone = once(c, 'exit');
  c.kill(signal);
  await within(gone, `process ${c.pid} to exit after ${signal}`, ms).catch(async (e: unknown) => {
    if (!exited(c)) c.kill('SIGKILL');
    throw e;
  });
}

/**
 * A node as a child process on `dir` (`node dist/node/main.js --data-dir dir ...`, as spawnNode starts it),
 * killed at teardown if still running. Logs at `warn` unless `env.WARREN_LOG_LEVEL` says otherwise;
 * `output()` holds what it printed. Fails fast, with that output, if the node exits before listening.
 */
export async function spawnOn(t: Scope, dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<SpawnedNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'node', 'main.js'), '--amqp-port', String(port), '--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', dir, ...args], {
    env: { ...process.env, WARREN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => stopChild(child).catch(() => {}));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`node exited (${String(code ?? signal)}) before listening:\n${out.slice(0, 4000)}`);
  });
  try {
    await Promise.race([waitForPort(port, 20_000), exit]);
  } catch (e) {
    await stopChild(child).catch(() => {});
    throw new Error(`${(e as Error).message}\noutput so far:\n${out.slice(0, 4000)}`);
  }
  exit.catch(() => {});
  return {
    child,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      await stopChild(child, signal);
      return child.exitCode;
    },
  };
}

/** Stops a spawned node: 'SIGTERM' is a clean shutdown, 'SIGKILL' a crash. */
export const stopNode = (n: SpawnedNode, signal: NodeJS.Signals): Promise<void> => stopChild(n.child, signal);

/** Segment file names in the data folder's message store, oldest first. */
export function segmentFiles(dir: string): string[] {
  const m = join(dir, 'messages');
  if (!existsSync(m)) return [];
  return readdirSync(m)
    .filter((f) => /^\d{8}\.seg$/.test(f))
    .sort();
}

/** One record of a segment file, parsed the way the store writes it (see message-store.ts). */
export interface StoredRecord {
  readonly segment: string;
  /** Offset of the record's 8-byte header in the file. */
  readonly start: number;
  /** Offset just past the record. */
  readonly end: number;
  readonly type: 'enqueue' | 'settle' | 'other';
  /** enqueue: message id and queue; settle: ids settled. */
  readonly id: number;
  readonly queue: string;
  readonly ids: readonly number[];
}

/** The well-formed records of every segment file (each file read up to its first bad record). */
export function storedRecords(dir: string): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const segment of segmentFiles(dir)) {
    const data = readFileSync(join(dir, 'messages', segment));
    let off = 0;
    while (off + 8 <= data.length) {
      const len = data.readUInt32BE(off);
      if (off + 8 + len > data.length) break;
      const p = data.subarray(off + 8, off + 8 + len);
      const u64 = (at: number): number => p.readUInt32BE(at) * 0x1_0000_0000 + p.readUInt32BE(at + 4);
      let rec: StoredRecord = { segment, start: off, end: off + 8 + len, type: 'other', id: 0, queue: '', ids: [] };
      if (p[0] === 1) {
        const vhostLen = p[10]!;
        const queueLen = p[11 + vhostLen]!;
        rec = { ...rec, type: 'enqueue', id: u64(1), queue: p.toString('utf8', 12 + vhostLen, 12 + vhostLen + queueLen) };
      } else if (p[0] === 2) {
        const n = p.readUInt32BE(1);
        rec = { ...rec, type: 'settle', ids: Array.from({ length: n }, (_, i) => u64(5 + 8 * i)) };
      }
      out.push(rec);
      off += 8 + len;
    }
  }
  return out;
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** A queue's ready entries in delivery order, as they are now. */
export function readyEntries(q: Queue): QueueEntry[] {
  const out: QueueEntry[] = [];
  q.messages.forEach((e) => out.push(e));
  return out;
}

/** A body of exactly `size` bytes that names its id, so a delivery can be checked byte for byte. */
export function bodyFor(id: number, size: number): Buffer {
  const head = `m${id}:`;
  const b = Buffer.alloc(Math.max(size, head.length), (id % 26) + 97);
  b.write(head, 0, 'latin1');
  return b;
}

/**
 * Publishes `count` messages on a confirm channel with at most `window` unconfirmed, resolving when every
 * one is confirmed (rejects on a nack). `body(i)` makes message i (0-based).
 */
export async function publishMany(
  ch: ConfirmChannel,
  exchange: string,
  key: string,
  count: number,
  body: (i: number) => Buffer,
  options: Options.Publish = {},
  window = 500,
  ms = 60_000,
): Promise<void> {
  let next = 0;
  let settled = 0;
  const done = new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (next < count && next - settled < window) {
        const i = next++;
        ch.publish(exchange, key, body(i), options, (err: unknown) => {
          if (err) return reject(new Error(`publish ${i} nacked or failed: ${String(err)}`));
          if (++settled === count) resolve();
          else pump();
        });
      }
    };
    if (count === 0) resolve();
    else pump();
  });
  await within(done, `${count} confirmed publishes to '${exchange}'/'${key}'`, ms);
}

/**
 * Consumes exactly `count` messages from `queue`, then cancels; fails if they do not all arrive within
 * `ms`. `mode`: 'no-ack' (default), 'ack' (each acked on arrival) or 'manual' (left unacked for the caller).
 */
export async function consumeN(
  ch: Channel,
  queue: string,
  count: number,
  opts: { mode?: 'no-ack' | 'ack' | 'manual'; prefetch?: number; ms?: number } = {},
): Promise<ConsumeMessage[]> {
  const out: ConsumeMessage[] = [];
  if (count === 0) return out;
  const mode = opts.mode ?? 'no-ack';
  const ack = mode === 'ack';
  await ch.prefetch(opts.prefetch ?? (mode === 'manual' ? 0 : 1000));
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const { consumerTag } = await within(
    ch.consume(
      queue,
      (m) => {
        if (!m) return;
        out.push(m);
        if (ack) ch.ack(m);
        if (out.length === count) resolveAll();
      },
      { noAck: mode === 'no-ack' },
    ),
    `basic.consume on ${queue}`,
    SLOW_MS,
  );
  try {
    await within(all, `${count} deliveries from ${queue} (got ${out.length})`, opts.ms ?? 30_000);
  } finally {
    await within(ch.cancel(consumerTag), 'basic.cancel', SLOW_MS).catch(() => {});
  }
  return out;
}

/** Ready messages in a queue (queue.declare passive). */
export async function depth(ch: Channel, queue: string): Promise<number> {
  return (await within(ch.checkQueue(queue), `queue.declare passive ${queue}`, SLOW_MS)).messageCount;
}

/** Runs a script compiled next to this file (dist/test/node/store/NAME.js) as a child process, killed at teardown. */
export function spawnScript(t: Scope, name: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'test', 'node', 'store', `${name}.js`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  t.teardown(() => stopChild(child).catch(() => {}));
  return { child, output: () => out };
}
