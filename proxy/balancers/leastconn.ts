import type { Backend } from '../backend.js';
import type { Balancer } from './balancer.js';

/**
 * The backend with the fewest current sessions per unit of weight. Ties rotate (the scan starts one
 * further each pick), so an idle pool still spreads connections instead of always choosing the first.
 */
export class LeastConn implements Balancer {
  private offset = 0;

  pick(candidates: readonly Backend[]): Backend {
    const now = Date.now();
    const n = candidates.length;
    this.offset = (this.offset + 1) % n;
    let best = candidates[this.offset]!;
    let bestLoad = Infinity;
    for (let i = 0; i < n; i++) {
      const b = candidates[(this.offset + i) % n]!;
      const load = (b.counters.cur + 1) / b.effectiveWeight(now);
      if (load < bestLoad) {
        bestLoad = load;
        best = b;
      }
    }
    return best;
  }
}
