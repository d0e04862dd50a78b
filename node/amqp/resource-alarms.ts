import { statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import type { Tickable } from './ticker.js';

/** Something that reacts when publishing must stop or may resume (connections). */
export interface AlarmListener {
  alarmChanged(reason: string | null): void;
}

/**
 * RabbitMQ's resource alarms: above the memory high watermark (a fraction of system memory) or below the
 * disk free limit, publishing connections are blocked (connection.blocked, socket reads paused) while
 * consumers keep draining; when both clear, they are unblocked. Checked once a second on the shared ticker.
 */
export class ResourceAlarms implements Tickable {
  private reason: string | null = null;

  constructor(
    private readonly config: NodeConfig,
    private readonly listeners: Iterable<AlarmListener>,
    private readonly log: Logger,
    /** Told when memory passes the paging ratio of the watermark (queues then page to disk). */
    private readonly paging: (on: boolean) => void,
  ) {}

  /** Why publishing is blocked now, or null. */
  get active(): string | null {
    return this.reason;
  }

  tick(): void {
    const limit = totalmem() * this.config.memoryHighWatermark;
    this.paging(process.memoryUsage.rss() > limit * this.config.memoryPagingRatio);
    const next = this.check();
    if (next === this.reason) return;
    this.reason = next;
    if (next) this.log.warn({ reason: next }, 'resource alarm set: blocking publishers');
    else this.log.info('resource alarm cleared: unblocking publishers');
    for (const l of this.listeners) l.alarmChanged(next);
  }

  private check(): string | null {
    const limit = totalmem() * this.config.memoryHighWatermark;
    if (process.memoryUsage.rss() > limit) return 'low on memory';
    if (this.config.diskFreeLimit > 0) {
      try {
        const s = statfsSync(this.config.dataDir);
        if (s.bavail * s.bsize < this.config.diskFreeLimit) return 'low on disk';
      } catch (e) {
        this.log.error({ err: e }, 'cannot check free disk space');
      }
    }
    return null;
  }
}
