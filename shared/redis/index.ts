// Redis helpers shared by the broker, the proxy and the idempotency library.
export { backoffDelay, closeRedis, connectRedis, whenReady, type OwnedRedis, type RedisConnectOptions, type RedisEndpoint, type RedisTarget } from './connect.js';
export { isUnavailable, RedisCommandError, RedisUnavailableError, toRedisError } from './errors.js';
export { answered, askAll, quorumOf, type Vote } from './quorum.js';
export { LuaScript, type ScriptArg } from './script.js';
