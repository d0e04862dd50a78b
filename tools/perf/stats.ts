import { Histogram, type HistogramData } from './histogram.js';

/** The measurement window in monotonic ms (see clock.ts): traffic starts at t0, counts between w0 and w1. */
export interface Window {
  t0: number;
  w0: number;
  w1: number;
  /** Past this, every client gives up whatever it is waiting for. */
  hardStop: number;
}

/**
 * Counters of one worker thread; its producers and consumers all add to the same object (one thread, no
 * locks). Totals count everything; *Win counts only events inside [w0, w1).
 */
export class Stats {
  pubTotal = 0;
  pubWin = 0;
  confTotal = 0;
  confWin = 0;
  nackTotal = 0;
  consTotal = 0;
  consWin = 0;
  bad = 0;
  redelivered = 0;
  returned = 0;
  blockedEvents = 0;
  targetWin = 0;
  firstConsumed = 0;
  lastConsumed = 0;
  readonly latency = new Histogram();
  readonly confirmLatency = new Histogram();
  readonly errors: string[] = [];

  error(who: string, text: string): void {
    if (this.errors.length < 20) this.errors.push(`${who}: ${text}`);
  }

  toResult(): WorkerResult {
    return {
      pubTotal: this.pubTotal,
      pubWin: this.pubWin,
      confTotal: this.confTotal,
      confWin: this.confWin,
      nackTotal: this.nackTotal,
      consTotal: this.consTotal,
      consWin: this.consWin,
      bad: this.bad,
      redelivered: this.redelivered,
      returned: this.returned,
      blockedEvents: this.blockedEvents,
      targetWin: this.targetWin,
      firstConsumed: this.firstConsumed,
      lastConsumed: this.lastConsumed,
      latency: this.latency.toData(),
      confirmLatency: this.confirmLatency.toData(),
      errors: this.errors,
    };
  }
}

export interface WorkerResult {
  pubTotal: number;
  pubWin: number;
  confTotal: number;
  confWin: number;
  nackTotal: number;
  consTotal: number;
  consWin: number;
  bad: number;
  redelivered: number;
  returned: number;
  blockedEvents: number;
  targetWin: number;
  firstConsumed: number;
  lastConsumed: number;
  latency: HistogramData;
  confirmLatency: HistogramData;
  errors: string[];
}

/** Slots of the shared progress array: each worker owns PROGRESS_SLOTS consecutive doubles. */
export const PROGRESS_SLOTS = 3;
export const enum Slot {
  Published = 0,
  Confirmed = 1,
  Consumed = 2,
}
