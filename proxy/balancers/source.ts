import type { Backend } from '../backend.js';
import type { Balancer } from './balancer.js';

/** FNV-1a over the string, then a murmur3 finalizer so near-identical inputs spread. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Client address affinity by weighted rendezvous hashing: each backend scores -weight/ln(u) where u is a
 * hash of (client, backend) in (0,1); the highest score wins. A client keeps its backend while that
 * backend is usable, and when one backend goes away only its own clients move (HAProxy's map-based
 * `balance source` reshuffles more).
 */
export class SourceHash implements Balancer {
  pick(candidates: readonly Backend[], clientAddress: string): Backend {
    const client = clientAddress.startsWith('::ffff:') ? clientAddress.slice(7) : clientAddress;
    const now = Date.now();
    let best = candidates[0]!;
    let bestScore = -Infinity;
    for (const b of candidates) {
      const u = (hash32(`${client}\u0000${b.name}`) + 0.5) / 4294967296;
      const score = -b.effectiveWeight(now) / Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = b;
      }
    }
    return best;
  }
}
