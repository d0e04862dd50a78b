import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../shared/log.js';
import { AmqpServer } from './amqp/server.js';
import { Broker } from './broker/broker.js';
import { NODE_SCHEMA, type NodeConfig } from './config.js';

export type { NodeConfig } from './config.js';

export interface RunningNode {
  readonly config: NodeConfig;
  readonly broker: Broker;
  readonly amqp: AddressInfo;
  readonly log: Logger;
  close(): Promise<void>;
}

/** Every setting at its default: what `npm start` runs with. */
export function defaultConfig(): NodeConfig {
  const c = {} as Record<string, unknown>;
  for (const [k, s] of Object.entries(NODE_SCHEMA)) c[k] = (s as { default: unknown }).default;
  return c as unknown as NodeConfig;
}

/** Starts a broker node (embeddable: tests start nodes on port 0 in-process or as child processes). */
export async function startNode(overrides: Partial<NodeConfig> = {}): Promise<RunningNode> {
  const config: NodeConfig = { ...defaultConfig(), ...overrides };
  const log = createLogger(config.logLevel, 'warren');
  const broker = new Broker({ defaultUser: config.defaultUser, defaultPass: config.defaultPass, defaultVhost: config.defaultVhost });
  const server = new AmqpServer(broker, config, log);
  const amqp = await server.listen(config.amqpPort, config.amqpHost);
  log.info({ port: amqp.port, host: amqp.address }, 'AMQP listener started');
  return {
    config,
    broker,
    amqp,
    log,
    close: () => server.close(),
  };
}
