// warren/idempotency: consume each message once, deduplicating on its message-id (or a fingerprint)
// in Redis. See docs/idempotency.md.
export { IdempotentConsumer, type ClaimContext, type ConsumerStats, type Handler, type HandlerOptions, type Work } from './consumer.js';
export type { IdempotencyOptions } from './options.js';
export type { AckReason, NackReason, Settlement } from './settlement.js';
export type { Adapter } from './adapters/adapter.js';
export { amqplibAdapter, amqplibHandler, type AmqplibChannel, type AmqplibMessage } from './adapters/amqplib.js';
export { amqpClientAdapter, amqpClientHandler, type AmqpClientMessage } from './adapters/amqp-client.js';
export { ConsumerStatus, rabbitmqClientHandler, statusOf, type ConsumerStatusValue, type RabbitmqClientMessage } from './adapters/rabbitmq-client.js';
export { ClaimLostError, HandlerFailedError, IdempotencyConfigError, IdempotencyError, MissingMessageIdError } from './errors.js';
export { RedisCommandError, RedisUnavailableError } from '../redis/index.js';
export type { RedisConnectOptions, RedisEndpoint, RedisTarget } from '../redis/index.js';
