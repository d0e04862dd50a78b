import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../shared/log.js';
import { AmqpServer } from './amqp/server.js';
import { tlsServerOptions } from './amqp/tls-options.js';
import { Broker } from './broker/broker.js';
import { RedisDedupStore } from './broker/dedup-redis/store.js';
import { NODE_SCHEMA, type NodeConfig } from './config.js';
import { Rates } from './mgmt/rates.js';
import { MgmtServer } from './mgmt/server.js';
import { DefinitionsStore } from './store/definitions-store.js';
import { MessageStore } from './store/message-store.js';

export type { NodeConfig } from './config.js';

export interface RunningNode {
  readonly config: NodeConfig;
  readonly broker: Broker;
  readonly amqp: AddressInfo;
  /** The AMQPS listener's address, or null without amqps-port. */
  readonly amqps: AddressInfo | null;
  readonly mgmt: AddressInfo;
  readonly log: Logger;
  close(): Promise<void>;
}

/** Every setting at its default: what `npm start` runs with. */
export function defaultConfig(): NodeConfig {
  const c = {} as Record<string, unknown>;
  for (const [k, s] of Object.entries(NODE_SCHEMA)) c[k] = (s as { default: unknown }).default;
  return c as unknown as NodeConfig;
}

/**
 * Starts a broker node: restores definitions and queued messages from the data folder (or creates the
 * defaults on first start), then listens. Embeddable: tests start nodes in-process or as child processes.
 */
export async function startNode(overrides: Partial<NodeConfig> = {}): Promise<RunningNode> {
  const config: NodeConfig = { ...defaultConfig(), ...overrides };
  // read before anything opens, so a bad certificate setting leaves nothing behind
  const tls = config.amqpsPort === null ? null : tlsServerOptions(config);
  const log = createLogger(config.logLevel, 'warren');
  mkdirSync(config.dataDir, { recursive: true });
  const definitions = new DefinitionsStore(config.dataDir, log);
  const store = new MessageStore(join(config.dataDir, 'messages'), config.segmentSize, log);
  const node = `warren@${hostname()}`;
  const dedupStore = config.redisUrl === null ? null : new RedisDedupStore({ url: config.redisUrl, log: log.child({ component: 'dedup' }), node, mode: config.dedupRedisUnavailable });
  await dedupStore?.start();
  const broker = new Broker(definitions, store, config.dataDir, dedupStore);
  if (definitions.exists) broker.replay(definitions.read());
  else broker.createDefaults(config);
  definitions.rewrite(broker.snapshot());
  restoreMessages(broker, store);

  const server = new AmqpServer(broker, config, log, tls);
  const { amqp, amqps } = await server.listen(config.amqpPort, config.amqpHost).catch(async (e: unknown) => {
    await dedupStore?.close();
    throw e;
  });
  log.info({ port: amqp.port, host: amqp.address, dataDir: config.dataDir }, 'AMQP listener started');
  if (amqps) log.info({ port: amqps.port, host: amqps.address, verify: config.tlsVerify }, 'AMQPS listener started');
  let mgmt: AddressInfo | null = null;
  const mgmtServer = new MgmtServer({ broker, amqp: server, config, node, rates: new Rates(), log, startedAt: Date.now(), mgmtPort: () => mgmt?.port ?? 0 });
  try {
    mgmt = await mgmtServer.listen(config.mgmtPort, config.mgmtHost);
  } catch (e) {
    await server.close();
    await dedupStore?.close();
    throw e;
  }
  log.info({ port: mgmt.port, host: mgmt.address }, 'management listener started');
  return {
    config,
    broker,
    amqp,
    amqps,
    mgmt,
    log,
    async close() {
      await Promise.all([server.close(), mgmtServer.close()]);
      // after the connections: what their channels withdrew goes out before the client quits
      await dedupStore?.close();
      store.close();
      definitions.close();
    },
  };
}

/** Puts recovered messages back into their queues; those of queues that no longer exist are settled. */
function restoreMessages(broker: Broker, store: MessageStore): void {
  for (const { vhost, queue, messages } of store.recover()) {
    const q = broker.vhosts.get(vhost)?.queues.get(queue);
    if (q) q.restore(messages);
    else for (const m of messages) store.settle(m.handle);
  }
}
