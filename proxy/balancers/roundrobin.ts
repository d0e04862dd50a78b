import type { Backend } from '../backend.js';
import type { Balancer } from './balancer.js';

/**
 * Smooth weighted round robin (as nginx does it): every pick adds each candidate's weight to its running
 * score, takes the highest score and subtracts the total from it. Weights 5,1,1 give a,a,b,a,c,a,a rather
 * than a burst of five a's, and a backend's slow-start weight takes effect on the next pick.
 */
export class RoundRobin implements Balancer {
  private readonly score = new WeakMap<Backend, number>();

  pick(candidates: readonly Backend[]): Backend {
    const now = Date.now();
    let total = 0;
    let best = candidates[0]!;
    let bestScore = -Infinity;
    for (const b of candidates) {
      const w = b.effectiveWeight(now);
      total += w;
      const s = (this.score.get(b) ?? 0) + w;
      this.score.set(b, s);
      if (s > bestScore) {
        bestScore = s;
        best = b;
      }
    }
    this.score.set(best, bestScore - total);
    return best;
  }
}
