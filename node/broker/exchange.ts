import type { FieldTable } from '../../shared/amqp/index.js';
import type { Binding, BindingDestination, ExchangeRouter } from './binding.js';
import { MessageCounters } from './stats.js';

export interface ExchangeOptions {
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
  /** The user who declared it (RabbitMQ's user_who_performed_action; its built-in exchanges say rmq-internal). */
  readonly declaredBy: string;
}

export class Exchange {
  readonly kind = 'exchange' as const;
  /** Bindings with this exchange as source, by binding id. */
  readonly bindings = new Map<string, Binding>();
  /** Exchange-to-exchange bindings with this exchange as destination. */
  readonly inbound = new Set<Binding>();
  deleted = false;
  /** Effective alternate exchange (argument, else policy). */
  alternate: string | null = null;
  policy: string | null = null;
  readonly stats = new MessageCounters();

  constructor(
    readonly vhost: string,
    readonly options: ExchangeOptions,
    readonly router: ExchangeRouter,
  ) {}

  get name(): string {
    return this.options.name;
  }

  route(routingKey: string, headers: FieldTable | undefined, out: Set<BindingDestination>): void {
    this.router.route(routingKey, headers, out);
  }
}
