import { Writer, type FieldTable } from '../../shared/amqp/index.js';
import type { RemoteAdmission } from './admissions.js';
import type { Exchange } from './exchange.js';
import type { Queue } from './queue.js';

export type BindingDestination = Queue | Exchange;

/** An edge from a source exchange to a queue or (exchange-to-exchange) another exchange. */
export interface Binding {
  readonly source: Exchange;
  readonly destination: BindingDestination;
  readonly routingKey: string;
  readonly arguments: FieldTable;
  /** Identity of the binding within its source: see bindingId. */
  readonly id: string;
}

const idWriter = new Writer();

/**
 * Identity of a binding within its source, as exact as RabbitMQ's: the destination, the routing key and
 * the arguments with their AMQP types (1 as a byte, a long or a double are three bindings). RabbitMQ
 * sorts the top-level arguments and keeps nested tables and arrays as given, and so does this. Built from
 * the wire encoding, which is exact and cheap.
 */
export function bindingId(d: BindingDestination, routingKey: string, args: FieldTable): string {
  const keys = Object.keys(args);
  let sorted = args;
  if (keys.length > 1) {
    sorted = {};
    for (const k of keys.sort()) sorted[k] = args[k]!;
  }
  try {
    idWriter.u8(d.kind === 'queue' ? 0x71 : 0x65);
    idWriter.shortstr(d.name);
    idWriter.shortstr(routingKey);
    idWriter.table(sorted);
    return idWriter.toBuffer().toString('latin1');
  } catch (e) {
    // a write that threw (a key longer than a shortstr) leaves nothing behind for the next binding
    idWriter.drain();
    throw e;
  }
}

/** How one exchange type keeps its bindings and picks destinations for a message. */
export interface ExchangeRouter {
  add(b: Binding): void;
  remove(b: Binding): void;
  /** Adds the destinations for a message with this routing key (and headers) to `out`. */
  route(routingKey: string, headers: FieldTable | undefined, out: Set<BindingDestination>): void;
  /** Whether a message may be routed at all (deduplication); absent means always. */
  admit?(headers: FieldTable | undefined): boolean;
  /** Set by types whose admission a remote store decides (Redis-backed deduplication); see admissions.ts. */
  readonly remote?: RemoteAdmission;
  /** The exchange was deleted: release what the type holds (files). */
  destroy?(): void;
}
