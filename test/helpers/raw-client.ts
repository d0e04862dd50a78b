// A raw AMQP 0-9-1 test peer over real TCP, built on the project's own codec: it performs a correct handshake
// or sends any bytes at all, and records every frame the server sends, so tests can check exact reply codes,
// class/method ids and frame sizes. Every wait is bounded.
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import amqplib from 'amqplib';
import type tap from 'tap';
import {
  decodeMethodArgs, encodeProperties, FRAME_END, FRAME_METHOD, FrameParser, Reader, Writer, writeContent, writeMethodFrame,
  type BasicProperties, type FieldTable, type Method, type MethodName,
} from '../../shared/amqp/index.js';

export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0]; // the `t` of a tap test callback
export type MethodOf<N extends MethodName> = Extract<Method, { name: N }>;
export interface Frame { readonly type: number; readonly channel: number; readonly payload: Buffer; readonly method?: Method }
export interface HandshakeOptions {
  mechanism?: string; // 'PLAIN' (default), 'AMQPLAIN', or any name, to test refusal
  response?: Buffer; // a SASL response sent as is, instead of one built from user/password
  user?: string; password?: string; vhost?: string; // guest, guest, '/'
  capabilities?: FieldTable; // client-properties capabilities, e.g. authentication_failure_close
  tuneOk?: { channelMax?: number; frameMax?: number; heartbeat?: number }; // each defaults to the server's proposal
}
type Greeting = { start: MethodOf<'connection.start'>; tune: MethodOf<'connection.tune'> };

export const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');

/** Rejects with a clear message when `p` does not settle within `ms`. */
export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The bytes `write` produces on a fresh Writer. */
export const encode = (write: (w: Writer) => void): Buffer => ((w) => (write(w), w.toBuffer()))(new Writer());

/** A frame with a hand-chosen type, size field and end octet. */
export function rawFrame(type: number, channel: number, payload: Buffer, o: { end?: number; size?: number } = {}): Buffer {
  const head = encode((w) => (w.u8(type), w.u16(channel), w.u32(o.size ?? payload.length)));
  return Buffer.concat([head, payload, Buffer.from([o.end ?? FRAME_END])]);
}

export const methodFrame = (channel: number, m: Method): Buffer => encode((w) => writeMethodFrame(w, channel, m));
/** A content header payload (class 60) declaring `bodySize`. */
export const headerPayload = (bodySize: number, props: BasicProperties = {}): Buffer =>
  encode((w) => (w.u16(60), w.u16(0), w.u64(bodySize), encodeProperties(w, props)));
export const publishMethod = (routingKey: string, o: Partial<MethodOf<'basic.publish'>> = {}): Method => ({
  name: 'basic.publish', ticket: 0, exchange: '', routingKey, mandatory: false, immediate: false, ...o,
});
export const declareMethod = (queue: string, o: Partial<MethodOf<'queue.declare'>> = {}): Method => ({
  name: 'queue.declare', ticket: 0, queue, passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {}, ...o,
});

export class RawClient {
  readonly frames: Frame[] = [];
  /** Bytes the server sent before any frame: its protocol header, when it refused ours. */
  headerReply = Buffer.alloc(0);
  readonly closed: Promise<number>;
  isClosed = false;
  private readonly taken = new Set<Frame>();
  private readonly waiters = new Set<() => void>();
  private readonly parser = new FrameParser(this, 1 << 26);
  private readonly reader = new Reader();

  static async connect(port: number): Promise<RawClient> {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    await within(2000, once(socket, 'connect'), `connect to ${port}`);
    return new RawClient(socket);
  }

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    this.closed = new Promise((resolve) => socket.once('close', () => ((this.isClosed = true), resolve(Date.now()), this.notify())));
  }

  private onData(d: Buffer): void {
    if (this.frames.length === 0 && this.headerReply.length < 8 && (this.headerReply.length > 0 || d[0] === 0x41 /* 'A' */)) {
      const take = 8 - this.headerReply.length;
      this.headerReply = Buffer.concat([this.headerReply, d.subarray(0, take)]);
      d = d.subarray(take);
    }
    try {
      if (d.length > 0) this.parser.push(d);
    } catch {
      this.socket.destroy(); // the server sent bytes that are not frames
    }
  }

  onFrame(type: number, channel: number, payload: Buffer): void {
    const copy = Buffer.from(payload);
    const r = this.reader.reset(copy);
    const method = type === FRAME_METHOD ? decodeMethodArgs(r, r.u16(), r.u16()) : undefined;
    this.frames.push(method ? { type, channel, payload: copy, method } : { type, channel, payload: copy });
    this.notify();
  }

  private notify = (): void => [...this.waiters].forEach((w) => w()); // a waiter removes itself when done

  /** Methods received so far (on `channel`, when given). */
  methods = (channel?: number): Method[] => this.frames.flatMap((f) => (f.method && (channel === undefined || f.channel === channel) ? [f.method] : []));

  /** Takes the first not-yet-taken frame matching `pred`, waiting for it. Rejects on timeout, on socket close, or
   * on a connection.close nobody has taken (the message shows it). */
  waitFrame(pred: (f: Frame) => boolean, what: string, timeoutMs = 3000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => (done(), reject(new Error(`waiting for ${what}: ${why}`)));
      const done = (): void => (clearTimeout(timer), void this.waiters.delete(check));
      const check = (): void => {
        const f = this.frames.find((x) => !this.taken.has(x) && pred(x));
        if (f) return done(), this.taken.add(f), resolve(f);
        const close = this.frames.find((x) => !this.taken.has(x) && x.method?.name === 'connection.close');
        if (close) return fail(`the server closed: ${JSON.stringify(close.method)}`);
        if (this.isClosed) fail('the socket closed');
      };
      const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async waitFor<N extends MethodName>(name: N, o: { channel?: number; timeoutMs?: number } = {}): Promise<MethodOf<N>> {
    const f = await this.waitFrame((x) => x.method?.name === name && (o.channel === undefined || x.channel === o.channel), name, o.timeoutMs);
    return f.method as MethodOf<N>;
  }

  /** Resolves with the time the socket closed; rejects if it is still open after `timeoutMs`. */
  waitClose = (timeoutMs = 3000): Promise<number> => within(timeoutMs, this.closed, 'the server to close the socket');

  /** Awaits the server's connection.close, answers close-ok, and awaits the socket closing. */
  async serverClose(timeoutMs = 3000): Promise<MethodOf<'connection.close'>> {
    const close = await this.waitFor('connection.close', { channel: 0, timeoutMs });
    this.sendMethod(0, { name: 'connection.close-ok' });
    await this.waitClose(timeoutMs);
    return close;
  }

  send = (bytes: Buffer | string): void => void (this.socket.destroyed || this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));

  sendMethod = (channel: number, m: Method): void => this.send(methodFrame(channel, m));

  /** A content header and body frames for `body`, split at `frameMax`. */
  sendContent(channel: number, body: Buffer, props: BasicProperties = {}, frameMax = 131072): void {
    this.send(encode((w) => writeContent(w, channel, encode((p) => encodeProperties(p, props)), body, frameMax)));
  }

  publish = (channel: number, routingKey: string, body: Buffer, o: Partial<MethodOf<'basic.publish'>> = {}): void =>
    (this.sendMethod(channel, publishMethod(routingKey, o)), this.sendContent(channel, body));

  /** Protocol header through start-ok; resolves with connection.start and connection.tune. */
  async login(o: HandshakeOptions = {}): Promise<Greeting> {
    this.send(PROTOCOL_HEADER);
    const start = await this.waitFor('connection.start');
    const [user, password, mechanism] = [o.user ?? 'guest', o.password ?? 'guest', o.mechanism ?? 'PLAIN'];
    const amqplain = (): Buffer => encode((w) => w.table({ LOGIN: user, PASSWORD: password })).subarray(4); // a table without its length
    const response = o.response ?? (mechanism === 'AMQPLAIN' ? amqplain() : Buffer.from(`\0${user}\0${password}`));
    const clientProperties: FieldTable = { product: 'warren-raw-test-client', capabilities: o.capabilities ?? {} };
    this.sendMethod(0, { name: 'connection.start-ok', clientProperties, mechanism, response, locale: 'en_US' });
    return { start, tune: await this.waitFor('connection.tune') };
  }

  /** The whole handshake up to connection.open-ok. */
  async handshake(o: HandshakeOptions = {}): Promise<Greeting> {
    const got = await this.login(o);
    this.sendMethod(0, { ...got.tune, ...o.tuneOk, name: 'connection.tune-ok' });
    this.sendMethod(0, { name: 'connection.open', virtualHost: o.vhost ?? '/', capabilities: '', insist: false });
    await this.waitFor('connection.open-ok');
    return got;
  }

  async openChannel(id = 1): Promise<void> {
    this.sendMethod(id, { name: 'channel.open', outOfBand: '' });
    await this.waitFor('channel.open-ok', { channel: id });
  }

  destroy = (): void => void this.socket.destroy();
}

/** A connected raw client (destroyed when the test ends); with `open`, handshaken with channel 1 open. */
export async function rawClient(t: TapTest, port: number, open?: HandshakeOptions): Promise<RawClient> {
  const c = await RawClient.connect(port);
  t.teardown(() => c.destroy());
  if (open) await c.handshake(open).then(() => c.openChannel(1));
  return c;
}

/** Proves a node serves a fresh, unrelated amqplib connection: declare, publish, get. */
export async function roundTrip(url: string): Promise<string | null> {
  const conn = await within(3000, amqplib.connect(url), 'amqplib connect');
  try {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('still serving'));
    const msg = await within(3000, ch.get(queue, { noAck: true }), 'basic.get');
    return msg ? msg.content.toString() : null;
  } finally {
    await within(3000, conn.close(), 'amqplib close').catch(() => {});
  }
}
