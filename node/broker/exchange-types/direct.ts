import type { Binding, BindingDestination, ExchangeRouter } from '../binding.js';

/** Routes to bindings whose key equals the routing key. */
export class DirectRouter implements ExchangeRouter {
  private readonly byKey = new Map<string, Set<Binding>>();

  add(b: Binding): void {
    let set = this.byKey.get(b.routingKey);
    if (!set) this.byKey.set(b.routingKey, (set = new Set()));
    set.add(b);
  }

  remove(b: Binding): void {
    const set = this.byKey.get(b.routingKey);
    if (set?.delete(b) && set.size === 0) this.byKey.delete(b.routingKey);
  }

  route(routingKey: string, _headers: unknown, out: Set<BindingDestination>): void {
    const set = this.byKey.get(routingKey);
    if (set) for (const b of set) out.add(b.destination);
  }
}
