import type { Backend } from '../backend.js';
import type { Balance } from '../config.js';
import { LeastConn } from './leastconn.js';
import { RoundRobin } from './roundrobin.js';
import { SourceHash } from './source.js';

/** Chooses among the backends that may take a session now (never empty when called). */
export interface Balancer {
  pick(candidates: readonly Backend[], clientAddress: string): Backend;
}

export function createBalancer(kind: Balance): Balancer {
  switch (kind) {
    case 'roundrobin':
      return new RoundRobin();
    case 'leastconn':
      return new LeastConn();
    case 'source':
      return new SourceHash();
  }
}
