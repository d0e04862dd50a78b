import type { FieldTable } from '../../shared/amqp/index.js';
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
  /** Identity of the binding within its source: same destination, key and arguments = same binding. */
  readonly id: string;
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
