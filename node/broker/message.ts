import { decodeProperties, PropertyFlag, Reader, Writer, encodeProperties, type BasicProperties, type FieldValue } from '../../shared/amqp/index.js';

const EMPTY_PROPERTIES = Buffer.from([0, 0]);
const scratch = new Reader();

/**
 * A published message as the broker keeps it: routing facts, the property block exactly as the publisher
 * encoded it (so a delivery writes it back without re-encoding), and the body as a buffer slice. Properties
 * are decoded only when something needs one (headers exchange, CC/BCC, TTL, priority, persistence), and
 * the flag word answers "is it there at all" without decoding anything.
 */
export class Message {
  private decoded: BasicProperties | null = null;
  /** Approximate bytes held, for length limits and memory accounting. */
  readonly size: number;
  /** A queue has packed a copy of the bytes (EntryStream): other queues share this object rather than copy again. */
  packed = false;
  /**
   * The BCC keys it was published with. The header goes before any queue keeps the message, but RabbitMQ
   * keeps the keys among the message's routing keys: a dead letter without a dead-letter routing key is
   * routed on them again.
   */
  bcc: readonly string[] | null = null;

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    private raw: Buffer,
    private payload: Buffer,
  ) {
    this.size = payload.length;
  }

  get body(): Buffer {
    return this.payload;
  }

  static fromProperties(exchange: string, routingKey: string, properties: BasicProperties, body: Buffer): Message {
    const w = new Writer();
    encodeProperties(w, properties);
    return new Message(exchange, routingKey, w.toBuffer(), body);
  }

  /** Flag word plus property list, as sent in a content header. */
  get rawProperties(): Buffer {
    return this.raw.length >= 2 ? this.raw : EMPTY_PROPERTIES;
  }

  get flags(): number {
    return this.raw.length >= 2 ? this.raw.readUInt16BE(0) : 0;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  get properties(): BasicProperties {
    if (this.decoded === null) {
      const r = scratch.reset(this.rawProperties, 2);
      this.decoded = decodeProperties(r, this.flags);
    }
    return this.decoded;
  }

  get persistent(): boolean {
    return this.has(PropertyFlag.DeliveryMode) && this.properties.deliveryMode === 2;
  }

  get priority(): number {
    return this.has(PropertyFlag.Priority) ? (this.properties.priority ?? 0) : 0;
  }

  /**
   * For a queue that keeps the message a while: the property block and body are often views into a socket
   * read chunk shared with other messages, so they move into one allocation of their own; the decoded
   * properties go too (decoded again if asked for).
   */
  compact(): void {
    this.decoded = null;
    const n = this.raw.length + this.payload.length;
    if (this.payload.buffer === this.raw.buffer && this.payload.buffer.byteLength === n) return;
    const data = Buffer.allocUnsafeSlow(n);
    this.raw.copy(data, 0);
    this.payload.copy(data, this.raw.length);
    this.raw = data.subarray(0, this.raw.length);
    this.payload = data.subarray(this.raw.length);
  }

  /** Copy with changed properties (the block is re-encoded); the body is shared. */
  withProperties(properties: BasicProperties, routingKey = this.routingKey, exchange = this.exchange): Message {
    return Message.fromProperties(exchange, routingKey, properties, this.body);
  }
}

/** The routing keys in a CC or BCC header (sender-selected distribution): its strings; RabbitMQ skips other values. */
export const senderSelectedKeys = (v: FieldValue | undefined): string[] => (Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : []);
