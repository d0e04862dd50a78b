import { encodeProperties, FRAME_METHOD, writeContent, writeMethodFrame, Writer } from '../../shared/amqp/index.js';
import type { AmqpClient } from './client.js';
import { now } from './clock.js';
import { queueName, type PerfOptions } from './options.js';
import type { Stats, Window } from './stats.js';

/** Body layout shared with amqpload: [0,8) send time, [8,12) producer id, [12,16) magic; then filler. */
export const MAGIC = 0xa5c3f00d;
const PER_TURN = 2048;

/** A whole publish (method, header and body frames) encoded once by the codec; only the send time varies. */
interface Template {
  bytes: Buffer;
  /** Offset of the send time: the first body frame's payload. */
  stampAt: number;
}

/**
 * One publishing connection. Every publish is a copy of a template the codec encoded once (one per
 * priority), stamped with the send time; a batch of them leaves in one socket write (copying a template is
 * about 6x cheaper than encoding each publish frame by frame, which matters when the load generator
 * shares two cores with the broker). Without a rate it writes until the socket pushes back ('drain') or the
 * confirm window is full, yielding to the event loop every PER_TURN messages so acks are read; with a rate
 * it sends what is due and sleeps until the next one.
 */
export class Producer {
  private readonly templates: Template[];
  private readonly ringTime: Float64Array;
  private readonly ringLive: Uint8Array;
  private nextTag = 1;
  private low = 1;
  private outstanding = 0;
  private sent = 0;
  private nextDue = 0;
  private readonly interval: number;
  private rng: number;
  private stopped = false;
  private waiting = false;
  /** The last batch buffer, when the socket took it whole (so it can be refilled instead of allocating). */
  private spare: Buffer | null = null;
  private finishResolve: () => void = () => {};
  readonly done: Promise<void>;

  constructor(
    private readonly client: AmqpClient,
    private readonly o: PerfOptions,
    private readonly id: number,
    private readonly stats: Stats,
    private readonly win: Window,
  ) {
    this.done = new Promise((r) => (this.finishResolve = r));
    this.templates = templates(o, id, client.frameMax);
    this.ringTime = new Float64Array(Math.max(1, o.confirm));
    this.ringLive = new Uint8Array(Math.max(1, o.confirm));
    this.interval = o.rate > 0 ? 1000 / o.rate : 0;
    this.rng = (id * 2654435761 + 12345) >>> 0 || 1;
    client.fast = this.onFrame;
    client.socket.on('drain', () => this.resume());
    client.onClosed = () => {
      if (client.error) stats.error(`producer ${id}`, client.error);
      this.finish();
    };
  }

  async prepare(): Promise<void> {
    if (this.o.confirm > 0) await this.client.rpc(1, { name: 'confirm.select', nowait: false }, 'confirm.select-ok');
  }

  start(): void {
    const t0 = this.win.t0;
    if (this.interval > 0) this.nextDue = t0 + this.random() * this.interval;
    setTimeout(this.pump, Math.max(0, t0 - now()));
    // the window ends even while waiting for a 'drain' or acks that do not come
    setTimeout(() => this.finish(), Math.max(0, this.win.w1 - now())).unref();
  }

  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 0x1_0000_0000;
  }

  private readonly pump = (): void => {
    this.waiting = false;
    if (this.stopped) return;
    const o = this.o;
    let budget = PER_TURN;
    for (;;) {
      const t = now();
      if (t >= this.win.w1 || (o.count > 0 && this.sent >= o.count)) return void this.finish();
      if (this.client.closed) return void this.finish();
      if (o.confirm > 0 && this.outstanding >= o.confirm) return void (this.waiting = true); // resumed by acks
      if (this.client.socket.writableNeedDrain) return void (this.waiting = true); // resumed by 'drain'
      let n = Math.min(o.batch, budget);
      if (o.confirm > 0) n = Math.min(n, o.confirm - this.outstanding);
      if (o.count > 0) n = Math.min(n, o.count - this.sent);
      if (this.interval > 0) {
        const due = Math.min(n, Math.floor((t - this.nextDue) / this.interval) + 1);
        if (due <= 0) {
          setTimeout(this.pump, Math.max(1, this.nextDue - t));
          return;
        }
        n = due;
        for (let i = 0; i < n; i++) {
          if (this.nextDue >= this.win.w0 && this.nextDue < this.win.w1) this.stats.targetWin++;
          this.nextDue += this.interval;
        }
      }
      this.write(n, now()); // one clock read per batch: it is built within microseconds
      this.sent += n;
      this.stats.pubTotal += n;
      if (t >= this.win.w0) this.stats.pubWin += n;
      budget -= n;
      if (budget <= 0) {
        setImmediate(this.pump);
        return;
      }
    }
  };

  /** Builds n publishes into one buffer and writes it. */
  private write(n: number, t: number): void {
    const o = this.o;
    const size = this.templates[0]!.bytes.length; // every priority's template has the same length
    const need = n * size;
    const buf = this.spare !== null && this.spare.length >= need ? this.spare : Buffer.allocUnsafe(Math.max(need, o.batch * size));
    this.spare = null;
    for (let i = 0, pos = 0; i < n; i++, pos += size) {
      const tpl = o.priorityRandom > 0 ? this.templates[Math.floor(this.random() * o.priorityRandom)]! : this.templates[0]!;
      tpl.bytes.copy(buf, pos);
      buf.writeDoubleLE(t, pos + tpl.stampAt);
      if (o.confirm > 0) {
        const k = this.nextTag % o.confirm;
        this.ringTime[k] = t;
        this.ringLive[k] = 1;
        this.outstanding++;
      }
      this.nextTag++;
    }
    const socket = this.client.socket;
    socket.write(need === buf.length ? buf : buf.subarray(0, need));
    // Nothing left in Node's queue: the kernel has copied the bytes, the buffer is free again.
    if (socket.writableLength === 0) this.spare = buf;
  }

  private resume(): void {
    if (this.waiting && !this.stopped) setImmediate(this.pump);
  }

  /** basic.ack / basic.nack from confirms, read in place. */
  private readonly onFrame = (type: number, _channel: number, p: Buffer, at: number): boolean => {
    if (type !== FRAME_METHOD || p.readUInt16BE(at) !== 60) return false;
    const method = p.readUInt16BE(at + 2);
    if (method !== 80 && method !== 120) return false;
    const tag = p.readUInt32BE(at + 4) * 0x1_0000_0000 + p.readUInt32BE(at + 8);
    this.confirmed(tag, (p[at + 12]! & 1) === 1, method === 120);
    return true;
  };

  private confirmed(tag: number, multiple: boolean, nack: boolean): void {
    const W = this.o.confirm;
    if (W <= 0 || tag >= this.nextTag) return this.stats.error(`producer ${this.id}`, `confirm for unknown tag ${tag}`);
    const t = this.client.receivedAt;
    const from = multiple ? this.low : tag;
    for (let k = from; k <= tag; k++) {
      const i = k % W;
      if (this.ringLive[i] === 0) continue;
      this.ringLive[i] = 0;
      this.outstanding--;
      if (nack) {
        this.stats.nackTotal++;
        continue;
      }
      this.stats.confTotal++;
      if (t >= this.win.w0 && t < this.win.w1) {
        this.stats.confWin++;
        this.stats.confirmLatency.addMs(t - this.ringTime[i]!);
      }
    }
    while (this.low < this.nextTag && this.ringLive[this.low % W] === 0) this.low++;
    if (this.outstanding === 0 && this.stopped) this.finishResolve();
    else this.resume();
  }

  /** Stops publishing; resolves `done` once outstanding confirms arrived (at most 10 s after the window). */
  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.o.confirm === 0 || this.outstanding === 0 || this.client.closed) return this.finishResolve();
    const limit = Math.min(this.win.w1 + 10_000, this.win.hardStop);
    setTimeout(() => {
      if (this.outstanding > 0) this.stats.error(`producer ${this.id}`, `${this.outstanding} confirms still outstanding after 10 s`);
      this.finishResolve();
    }, Math.max(0, limit - now())).unref();
  }
}

function templates(o: PerfOptions, id: number, frameMax: number): Template[] {
  const w = new Writer();
  const rk = o.routingKey ?? (o.exchange ? '' : queueName(o, id));
  writeMethodFrame(w, 1, { name: 'basic.publish', ticket: 0, exchange: o.exchange, routingKey: rk, mandatory: false, immediate: false });
  const method = w.toBuffer();
  const body = Buffer.alloc(o.size, 'x');
  body.writeUInt32LE(id, 8);
  body.writeUInt32LE(MAGIC, 12);
  return Array.from({ length: Math.max(1, o.priorityRandom) }, (_, prio) => {
    encodeProperties(w, { ...(o.persistent ? { deliveryMode: 2 } : {}), ...(o.priorityRandom > 0 ? { priority: prio } : {}) });
    const props = w.toBuffer();
    w.bytes(method);
    writeContent(w, 1, props, body, frameMax);
    // method frame, then the header frame (7 + 12 + properties + 1), then the body frame's 7-byte header
    return { bytes: w.toBuffer(), stampAt: method.length + 7 + 12 + props.length + 1 + 7 };
  });
}
