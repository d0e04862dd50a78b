import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { numberOf, stringOf, type FieldValue } from '../../shared/amqp/index.js';

/**
 * The cache key of an x-deduplication-header value. Like the plugin, only the value counts, not its AMQP
 * type: 5 as byte, int or long is one value, and a string and a byte array with the same bytes are one.
 */
export function dedupKey(v: FieldValue): string {
  const n = typeof v === 'bigint' ? v : numberOf(v);
  if (n !== undefined) return `n:${String(n)}`;
  const s = Buffer.isBuffer(v) ? v : stringOf(v);
  if (s !== undefined) return `b:${Buffer.from(s).toString('base64')}`;
  return `j:${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`;
}

/**
 * The seen-values cache of a deduplication exchange: at most `size` entries, each kept `ttl` ms (or
 * forever); when full, the oldest entry makes room. With a file, every insert is appended to it and the
 * cache is rebuilt from it at start (expired lines dropped, then rewritten compactly), so duplicates are
 * still caught after a restart.
 */
export class DedupCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly size: number,
    private readonly ttl: number | null,
    private readonly file: string | null,
  ) {
    if (file) this.load(file);
  }

  private load(file: string): void {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // first start: no file yet
    }
    const now = Date.now();
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const expiresAt = Number(line.slice(0, tab));
      if (Number.isFinite(expiresAt) && (expiresAt === 0 || expiresAt > now)) this.remember(line.slice(tab + 1), expiresAt);
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, [...this.entries].map(([k, at]) => `${at}\t${k}\n`).join(''));
  }

  /** True if `key` was seen and has not expired; otherwise records it (for `ttl` ms, if given). */
  seen(key: string, ttl: number | null = this.ttl): boolean {
    const at = this.entries.get(key);
    const now = Date.now();
    if (at !== undefined && (at === 0 || at > now)) return true;
    const expiresAt = ttl === null ? 0 : now + ttl;
    this.remember(key, expiresAt);
    if (this.file) appendFileSync(this.file, `${expiresAt}\t${key.replace(/\n/g, ' ')}\n`);
    return false;
  }

  private remember(key: string, expiresAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, expiresAt);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The exchange is gone: so is its cache file. */
  destroy(): void {
    if (this.file) rmSync(this.file, { force: true });
  }
}
