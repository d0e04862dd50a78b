/**
 * Differential harness: each scenario runs the same amqplib session against a fresh in-process Warren node
 * and against the real RabbitMQ, and the two lists of observations must be equal. Observations are plain
 * data (reply codes and texts, class/method ids, counts, bodies in order, flags); the random parts are
 * normalised first: this run's resource prefix becomes `diff-`, generated queue names `amq.gen-*`, generated
 * consumer tags `amq.ctag-*`, direct reply-to addresses `amq.rabbitmq.reply-to.*`. Every resource a
 * scenario names comes from `env.name()` and is deleted after the run, on both brokers, whatever happened.
 */
import t from 'tap';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Message, type Options } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestNode, type TestNode } from '../helpers/node.js';
import { RABBITMQ_SKIP_REASON, rabbitmqReachable } from '../helpers/rabbitmq.js';

/** What the client saw when the server closed a channel or the connection. */
export interface Failure {
  readonly code: number;
  readonly text: string;
  readonly classId: number;
  readonly methodId: number;
}

/** Method ids amqplib has no API for, sent with its raw `rpc`/`sendMessage` (class << 16 | method). */
export const M = {
  channelFlow: (20 << 16) | 20,
  channelFlowOk: (20 << 16) | 21,
  basicQos: (60 << 16) | 10,
  basicQosOk: (60 << 16) | 11,
  basicRecover: (60 << 16) | 110,
  basicRecoverOk: (60 << 16) | 111,
  confirmSelect: (85 << 16) | 10,
  confirmSelectOk: (85 << 16) | 11,
  txSelect: (90 << 16) | 10,
  txSelectOk: (90 << 16) | 11,
  txCommit: (90 << 16) | 20,
  txCommitOk: (90 << 16) | 21,
  txRollback: (90 << 16) | 30,
  txRollbackOk: (90 << 16) | 31,
} as const;
const CONNECTION_CLOSE = (10 << 16) | 50;

interface RawChannel {
  rpc(method: number, fields: object, expect: number): Promise<Record<string, unknown>>;
  sendMessage(fields: object, properties: object, content: Buffer): boolean;
}
/** amqplib's untyped internals: raw RPCs and publishes with fields its API will not set. */
export const raw = (ch: Channel): RawChannel => ch as unknown as RawChannel;

export const failure = (e: unknown): Failure => {
  const err = e as { code?: number; classId?: number; methodId?: number; message?: string };
  return {
    code: err.code ?? -1,
    text: /with message "([\s\S]*)"$/.exec(err.message ?? '')?.[1] ?? String(err.message),
    classId: err.classId ?? 0,
    methodId: err.methodId ?? 0,
  };
};

/** `p`, or `fallback` if it has not settled after `ms`; the timer does not outlive the race. */
export async function within<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<F>((resolve) => (timer = setTimeout(resolve, ms, fallback)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The value of a promise (or `ok` for an empty reply), its failure, or `timeout` after `ms`. */
export async function outcome<T>(p: Promise<T>, ms = 10_000): Promise<T | Failure | 'ok' | 'timeout'> {
  try {
    const v = await within(p, ms, 'timeout' as const);
    return v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0) ? 'ok' : v;
  } catch (e) {
    return failure(e);
  }
}

/** Polls until `cond` holds or `ms` passed; returns whether it held. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/**
 * Lets asynchronous effects land: acks, nacks and publishes have no reply, and RabbitMQ applies them in
 * other processes than the one answering the next RPC.
 */
export const settle = (ms = 200): Promise<void> => sleep(ms);

/** What a test needs from a delivered message. */
export const seen = (m: Message): { body: string; redelivered: boolean; exchange: string; routingKey: string } => ({
  body: m.content.toString(),
  redelivered: m.fields.redelivered,
  exchange: m.fields.exchange,
  routingKey: m.fields.routingKey,
});

/** A basic.return as the client saw it, on one line. */
export const returned = (m: Message): string => {
  const f = m.fields as unknown as { replyCode: number; replyText: string; exchange: string; routingKey: string };
  return `return ${m.content} ${f.replyCode} ${f.replyText} ${f.exchange} ${f.routingKey}`;
};

const channelEnd = new WeakMap<Channel, Promise<Failure | null>>();

/** Resolves with the server's channel.close (null if the channel ended otherwise), or `open` after `ms`. */
export function closed(ch: Channel, ms = 3000): Promise<Failure | null | 'open'> {
  return within(channelEnd.get(ch)!, ms, 'open' as const);
}

function watch<C extends Channel>(ch: C): C {
  let failed: Failure | null = null;
  ch.on('error', (e: unknown) => (failed = failure(e)));
  channelEnd.set(ch, new Promise((resolve) => ch.once('close', () => resolve(failed))));
  return ch;
}

/** One client connection; `ended` resolves with the server's connection.close, or null. */
export class Conn {
  readonly ended: Promise<Failure | null>;

  constructor(readonly model: ChannelModel) {
    let closeFrame: Failure | null = null;
    // amqplib reports connection.close without class/method ids: record the frame as it arrives
    const c0 = (model.connection as unknown as { channels: [{ channel: { accept(f: unknown): void } }] }).channels[0].channel;
    const accept = c0.accept.bind(c0);
    c0.accept = (f: unknown) => {
      const frame = f as { id?: number; fields?: Record<string, unknown> };
      if (frame?.id === CONNECTION_CLOSE && frame.fields) {
        const { replyCode, replyText, classId, methodId } = frame.fields as { replyCode: number; replyText: string; classId: number; methodId: number };
        closeFrame = { code: replyCode, text: replyText, classId, methodId };
      }
      accept(f);
    };
    model.on('error', () => {});
    this.ended = new Promise((resolve) => model.once('close', () => resolve(closeFrame)));
  }

  async channel(): Promise<Channel> {
    return watch(await this.model.createChannel());
  }

  async confirmChannel(): Promise<ConfirmChannel> {
    return watch(await this.model.createConfirmChannel());
  }

  /** The connection's close as the client saw it, or `open` if it is still up after `ms`. */
  closed(ms = 3000): Promise<Failure | null | 'open'> {
    return within(this.ended, ms, 'open' as const);
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => {});
  }
}

/** One run of a scenario on one broker. */
export class Env {
  private readonly prefix = `diff-${randomBytes(5).toString('hex')}-`;
  private readonly names = new Set<string>();
  private readonly conns: Conn[] = [];
  private publisher: Promise<ConfirmChannel> | undefined;

  constructor(readonly url: string) {}

  /** A resource name unique to this run (deleted afterwards); normalised to `diff-<base>`. */
  name(base: string): string {
    const n = this.prefix + base;
    this.names.add(n);
    return n;
  }

  async connect(): Promise<Conn> {
    const c = new Conn(await amqp.connect(this.url));
    this.conns.push(c);
    return c;
  }

  /** A new connection's channel: the common case. */
  async channel(): Promise<Channel> {
    return (await this.connect()).channel();
  }

  /**
   * Publishes `bodies` in order from a confirm channel of its own and waits for the confirms, so they are
   * enqueued when this resolves (a plain publish followed by an RPC is not ordered with it in RabbitMQ).
   */
  async send(exchange: string, routingKey: string, bodies: string[], options: Options.Publish = {}): Promise<void> {
    this.publisher ??= this.connect().then((c) => c.confirmChannel());
    const ch = await this.publisher;
    for (const b of bodies) ch.publish(exchange, routingKey, Buffer.from(b), options);
    await ch.waitForConfirms();
  }

  /** Consumes `queue` into a list until `count` arrived (then waits a little for extras) or time is up. */
  async consume(ch: Channel, queue: string, count: number, options: { noAck?: boolean; priority?: number; consumerTag?: string } = {}) {
    const got: ConsumeMessage[] = [];
    const ok = await ch.consume(queue, (m) => m && got.push(m), options);
    await until(() => got.length >= count);
    await sleep(100);
    return { tag: ok.consumerTag, got };
  }

  normalise(v: unknown): unknown {
    if (typeof v === 'string') {
      return v
        .split(this.prefix)
        .join('diff-')
        .replace(/amq\.gen-[\w-]{22}/g, 'amq.gen-*')
        .replace(/amq\.ctag-[\w-]{22}/g, 'amq.ctag-*')
        .replace(/amq\.rabbitmq\.reply-to\.[\w+/=.-]+/g, 'amq.rabbitmq.reply-to.*');
    }
    if (Buffer.isBuffer(v)) return this.normalise(v.toString());
    if (Array.isArray(v)) return v.map((x) => this.normalise(x));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.normalise(k), this.normalise(x)]));
    }
    return v;
  }

  /** Closes this run's connections, then deletes every resource it named. */
  async cleanup(): Promise<void> {
    await Promise.all(this.conns.map((c) => c.close()));
    const conn = new Conn(await amqp.connect(this.url));
    try {
      let ch = await conn.channel();
      for (const n of this.names) {
        for (const del of [() => ch.deleteQueue(n), () => ch.deleteExchange(n)]) {
          if (await del().then(() => false, () => true)) ch = await conn.channel();
        }
      }
    } finally {
      await conn.close();
    }
  }
}

export type Scenario = (env: Env) => Promise<unknown[]>;

const RABBITMQ = await rabbitmqReachable();
let warren: Promise<TestNode> | null = null;

/** The Warren node scenarios run on: started by the first scenario, so a file without any starts none. */
export function warrenNode(): Promise<TestNode> {
  if (warren === null) {
    const node = (warren = startTestNode());
    t.teardown(async () => (await node).close());
  }
  return warren;
}

const TIMED_OUT = 'scenario timed out';
const THREW = 'scenario threw';
const broken = (obs: unknown[]): boolean => obs[0] === TIMED_OUT || obs[0] === THREW;

async function runOn(url: string, fn: Scenario): Promise<unknown[]> {
  const env = new Env(url);
  try {
    const obs = await within(fn(env), 20_000, [TIMED_OUT]);
    return env.normalise(obs) as unknown[];
  } catch (e) {
    return env.normalise([THREW, String(e)]) as unknown[];
  } finally {
    await within(env.cleanup().catch(() => {}), 10_000, null);
  }
}

/**
 * Registers a differential test: `fn` runs against Warren, then RabbitMQ, and the observations must be the
 * same. A known difference is marked `{ todo: 'differs: ...' }` so it is reported without failing.
 */
export function scenario(name: string, fn: Scenario, opts: { todo?: string } = {}): void {
  t.test(name, RABBITMQ === null ? { skip: RABBITMQ_SKIP_REASON } : {}, async (t) => {
    const { url } = await warrenNode();
    let warrenObs = await runOn(url, fn);
    let rabbitObs = await runOn(RABBITMQ!, fn);
    if (broken(warrenObs) || broken(rabbitObs)) {
      // a loaded machine can stall either broker for seconds: one retry before reporting a difference
      t.comment(`retrying after ${JSON.stringify({ warren: warrenObs, rabbitmq: rabbitObs })}`);
      warrenObs = await runOn(url, fn);
      rabbitObs = await runOn(RABBITMQ!, fn);
    }
    if (process.env['DIFF_PRINT']) t.comment(JSON.stringify({ warren: warrenObs, rabbitmq: rabbitObs }));
    t.same(warrenObs, rabbitObs, `${name}: Warren sees what RabbitMQ shows`, opts.todo === undefined ? {} : { todo: opts.todo });
  });
}
