// Claims on one Redis server: one round trip per claim (SET NX PX + INCR in a script), one per renewal,
// one to mark done. Correct as long as that server keeps its data: a restart without persistence
// forgets claims and done markers (docs/idempotency.md lists what that costs).
import { closeRedis, connectRedis, RedisUnavailableError, whenReady, type OwnedRedis, type RedisConnectOptions, type RedisTarget } from '../redis/index.js';
import type { Redis } from 'ioredis';
import type { Claim, ClaimOutcome, ClaimStore } from './claim-store.js';
import { doneValue, type KeySpace } from './keys.js';
import { CLAIM, MARK_DONE, pair, RELEASE, RENEW } from './scripts.js';
import { tokenSource } from './token.js';

export class SingleRedisStore implements ClaimStore {
  private readonly redis: OwnedRedis;
  private readonly nextToken = tokenSource();

  constructor(
    target: RedisTarget,
    private readonly keys: KeySpace,
    connect: RedisConnectOptions,
  ) {
    this.redis = connectRedis(target, connect);
  }

  async claim(id: string, leaseMs: number): Promise<ClaimOutcome> {
    const key = this.keys.message(id);
    const token = this.nextToken();
    const [code, n] = pair(await CLAIM.run(await this.client(), [key, this.keys.fence], [token, leaseMs]), CLAIM.name);
    if (code === 0) return { kind: 'claimed', claim: { id, key, token, fence: n } };
    if (code === 1) return { kind: 'done' };
    return { kind: 'busy', ttlMs: n };
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    return (await RENEW.run(await this.client(), [claim.key], [claim.token, leaseMs])) === 1;
  }

  async markDone(claim: Claim, retentionMs: number): Promise<boolean> {
    return (await MARK_DONE.run(await this.client(), [claim.key], [claim.token, doneValue(claim.fence, claim.token), retentionMs])) === 1;
  }

  async release(claim: Claim): Promise<boolean> {
    return (await RELEASE.run(await this.client(), [claim.key], [claim.token])) === 1;
  }

  async ready(timeoutMs: number): Promise<void> {
    try {
      await whenReady(this.redis.client, timeoutMs);
    } catch (err) {
      throw new RedisUnavailableError(`idempotency: Redis ${describe(this.redis)} ${(err as Error).message}`, { cause: err });
    }
  }

  private async client(): Promise<Redis> {
    await this.redis.initial;
    return this.redis.client;
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}

function describe(r: OwnedRedis): string {
  return `${r.client.options.host ?? '?'}:${r.client.options.port ?? '?'}`;
}
