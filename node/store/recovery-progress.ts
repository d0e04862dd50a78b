import type { Logger } from 'pino';

const EVERY_MS = 2000;
/** Records between clock reads: keeps the check out of the per-record cost. */
const CHECK_EVERY = 4096;

/** Counts replayed records and logs progress with the rate every 2 s, so a long start-up is visibly alive. */
export class RecoveryProgress {
  records = 0;
  private readonly started = Date.now();
  private lastAt = this.started;
  private lastRecords = 0;

  constructor(private readonly log: Logger) {}

  record(): void {
    if (++this.records % CHECK_EVERY !== 0) return;
    const now = Date.now();
    if (now - this.lastAt < EVERY_MS) return;
    const perSecond = Math.round(((this.records - this.lastRecords) * 1000) / (now - this.lastAt));
    this.log.info({ records: this.records, perSecond }, 'recovering message store');
    this.lastAt = now;
    this.lastRecords = this.records;
  }

  get elapsed(): number {
    return Date.now() - this.started;
  }
}
