import type { FieldTable } from '../../../shared/amqp/index.js';
import type { Binding, BindingDestination, ExchangeRouter } from '../binding.js';

/** Routes to every binding, ignoring the routing key. */
export class FanoutRouter implements ExchangeRouter {
  private readonly bindings = new Set<Binding>();

  add(b: Binding): void {
    this.bindings.add(b);
  }

  remove(b: Binding): void {
    this.bindings.delete(b);
  }

  route(_routingKey: string, _headers: FieldTable | undefined, out: Set<BindingDestination>): void {
    for (const b of this.bindings) out.add(b.destination);
  }
}
