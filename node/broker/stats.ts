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

/** Node-wide counts of objects created and closed, for /api/overview's churn_rates (RabbitMQ's names). */
export class ChurnCounters {
  connectionCreated = 0;
  connectionClosed = 0;
  channelCreated = 0;
  channelClosed = 0;
  queueDeclared = 0;
  queueCreated = 0;
  queueDeleted = 0;
}

export const CHURN_NAMES: readonly (keyof ChurnCounters)[] = Object.keys(new ChurnCounters()) as (keyof ChurnCounters)[];
