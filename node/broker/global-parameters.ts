import type { DefinitionRecord, DefinitionsSink } from '../store/definitions-store.js';

/** The global parameter RabbitMQ keeps the cluster name in. */
const CLUSTER_NAME = 'cluster_name';

/**
 * RabbitMQ's global runtime parameters (/api/global-parameters; the cluster name is one), any JSON value
 * by name. Changes are durable definitions, recorded like every other.
 */
export class GlobalParameters {
  private readonly values = new Map<string, unknown>();

  constructor(private readonly sink: DefinitionsSink) {}

  get(name: string): unknown {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  entries(): [string, unknown][] {
    return [...this.values];
  }

  set(name: string, value: unknown): void {
    this.values.set(name, value);
    this.sink.record({ op: 'global-parameter', name, value });
  }

  /** False when there was none by that name. */
  delete(name: string): boolean {
    if (!this.values.delete(name)) return false;
    this.sink.record({ op: 'global-parameter-delete', name });
    return true;
  }

  /** The cluster's name: the one set, else the node's, as RabbitMQ's defaults to its node's. */
  clusterName(node: string): string {
    const set = this.values.get(CLUSTER_NAME);
    return typeof set === 'string' ? set : node;
  }

  setClusterName(name: string): void {
    this.set(CLUSTER_NAME, name);
  }

  snapshot(): DefinitionRecord[] {
    return this.entries().map(([name, value]) => ({ op: 'global-parameter', name, value }));
  }
}
