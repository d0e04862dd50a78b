/**
 * Monotonic message counters kept on queues, exchanges and channels; the management API samples them
 * to compute rates. Plain integer increments on the hot path, nothing else.
 */
export class MessageCounters {
  publish = 0;
  publishIn = 0;
  publishOut = 0;
  deliver = 0;
  deliverNoAck = 0;
  get = 0;
  getNoAck = 0;
  redeliver = 0;
  ack = 0;
  confirm = 0;
  returnUnroutable = 0;
}

export type CounterName = keyof MessageCounters;

export const COUNTER_NAMES: readonly CounterName[] = Object.keys(new MessageCounters()) as CounterName[];
