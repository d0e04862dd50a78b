// A Lua script run by EVALSHA, falling back to EVAL once per server that has not cached it yet
// (after a restart the script cache is empty). One round trip in the common case.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { toRedisError } from './errors.js';

export type ScriptArg = string | number;

export class LuaScript {
  readonly sha: string;
  constructor(
    readonly name: string,
    readonly source: string,
    readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; failures come back as RedisUnavailableError or RedisCommandError. */
  async run(client: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) throw new Error(`${this.name}: expected ${this.numberOfKeys} keys, got ${keys.length}`);
    try {
      try {
        return await client.evalsha(this.sha, this.numberOfKeys, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await client.eval(this.source, this.numberOfKeys, ...keys, ...args);
      }
    } catch (err) {
      throw toRedisError(err, this.name);
    }
  }
}
