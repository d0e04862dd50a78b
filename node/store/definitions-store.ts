/**
 * Durable definitions (vhosts, users, permissions, topic permissions, exchanges, queues, bindings,
 * policies, global parameters) as an append-only log of change records, one checksummed JSON line each,
 * written before the change is acknowledged (a kill -9 after the write keeps it: the OS holds the bytes).
 * At start the log is replayed through the broker's own methods, then compacted to one record per live
 * definition (written to a temporary file, synced, and renamed over the old log). A torn last line is
 * skipped with a log line.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { Reader, Writer, type FieldTable } from '../../shared/amqp/index.js';

/** Field tables are stored AMQP-encoded (base64) so every value type survives exactly. */
export function encodeArgs(t: FieldTable): string {
  const w = new Writer();
  w.table(t);
  return w.toBuffer().toString('base64');
}

export function decodeArgs(s: string): FieldTable {
  return new Reader().reset(Buffer.from(s, 'base64')).table();
}

export type DefinitionRecord =
  | { op: 'vhost'; name: string; metadata?: { description: string; tags: string[] } }
  | { op: 'vhost-delete'; name: string }
  | { op: 'user'; name: string; passwordHash: string; tags: string[]; hashing?: string }
  | { op: 'user-delete'; name: string }
  | { op: 'user-limits'; user: string; limits: Record<string, number> }
  | { op: 'permission'; vhost: string; user: string; configure: string; write: string; read: string }
  | { op: 'permission-delete'; vhost: string; user: string }
  | { op: 'topic-permission'; vhost: string; user: string; exchange: string; write: string; read: string }
  | { op: 'topic-permission-delete'; vhost: string; user: string }
  | { op: 'parameter'; vhost: string; component: string; name: string; value: unknown }
  | { op: 'parameter-delete'; vhost: string; component: string; name: string }
  | { op: 'global-parameter'; name: string; value: unknown }
  | { op: 'global-parameter-delete'; name: string }
  | { op: 'exchange'; vhost: string; name: string; type: string; autoDelete: boolean; internal: boolean; args: string; by?: string }
  | { op: 'exchange-delete'; vhost: string; name: string }
  | { op: 'queue'; vhost: string; name: string; autoDelete: boolean; args: string }
  | { op: 'queue-delete'; vhost: string; name: string }
  | { op: 'binding'; vhost: string; source: string; kind: 'queue' | 'exchange'; destination: string; routingKey: string; args: string }
  | { op: 'binding-delete'; vhost: string; source: string; kind: 'queue' | 'exchange'; destination: string; routingKey: string; args: string }
  | { op: 'policy'; kind: 'policy' | 'operator-policy'; vhost: string; name: string; pattern: string; applyTo: string; priority: number; definition: Record<string, unknown> }
  | { op: 'policy-delete'; kind: 'policy' | 'operator-policy'; vhost: string; name: string };

/** Where the broker reports durable definition changes. */
export interface DefinitionsSink {
  record(r: DefinitionRecord): void;
  /** True while the log itself is being replayed: nothing outside the log may be changed then. */
  readonly replaying?: boolean;
}

const FILE = 'definitions.log';

export class DefinitionsStore implements DefinitionsSink {
  private fd: number | null = null;
  private readonly path: string;

  constructor(
    dir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dir, FILE);
  }

  get exists(): boolean {
    return existsSync(this.path);
  }

  /** Every good record in order. */
  read(): DefinitionRecord[] {
    if (!this.exists) return [];
    const out: DefinitionRecord[] = [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      if (line === '') continue;
      const tab = line.indexOf('\t');
      const json = line.slice(tab + 1);
      if (tab !== 8 || parseInt(line.slice(0, 8), 16) !== crc32(json)) {
        this.log.warn({ file: this.path, line: i + 1 }, 'torn or corrupt definitions record skipped');
        continue;
      }
      out.push(JSON.parse(json) as DefinitionRecord);
    }
    return out;
  }

  /** Replaces the log with exactly these records (compaction), atomically. */
  rewrite(records: readonly DefinitionRecord[]): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, records.map(line).join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
  }

  record(r: DefinitionRecord): void {
    this.fd ??= openSync(this.path, 'a');
    writeSync(this.fd, line(r));
  }

  close(): void {
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

function line(r: DefinitionRecord): string {
  const json = JSON.stringify(r);
  return `${crc32(json).toString(16).padStart(8, '0')}\t${json}\n`;
}
