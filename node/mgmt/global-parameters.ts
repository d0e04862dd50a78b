import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'global-parameters.json';
/** The global parameter RabbitMQ keeps the cluster name in. */
const CLUSTER_NAME = 'cluster_name';

/**
 * RabbitMQ's global runtime parameters (/api/global-parameters; the cluster name is one), any JSON value
 * by name. Kept in the data folder as one JSON object, replaced whole on each change: written to a
 * temporary file, synced, then renamed over the old one, so a crash leaves the old file or the new.
 */
export class GlobalParameters {
  private readonly path: string;
  private readonly values: Map<string, unknown>;

  constructor(dir: string) {
    this.path = join(dir, FILE);
    this.values = new Map(existsSync(this.path) ? Object.entries(JSON.parse(readFileSync(this.path, 'utf8')) as object) : []);
  }

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
    this.save();
  }

  /** The cluster's name: the one set, else the node's, as RabbitMQ's defaults to its node's. */
  clusterName(node: string): string {
    const set = this.values.get(CLUSTER_NAME);
    return typeof set === 'string' ? set : node;
  }

  setClusterName(name: string): void {
    this.set(CLUSTER_NAME, name);
  }

  /** False when there was none by that name. */
  delete(name: string): boolean {
    if (!this.values.delete(name)) return false;
    this.save();
    return true;
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(this.values)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
