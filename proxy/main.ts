#!/usr/bin/env node
import { ConfigError, flagNames, helpText, readConfigFile } from '../shared/config.js';
import { parseFlags } from '../shared/config-flags.js';
import { createLogger } from '../shared/log.js';
import { PROXY_SCHEMA, resolveProxyConfig, type ProxyConfig } from './config.js';
import { Proxy } from './proxy.js';

const USAGE = `usage: warren-proxy [--config FILE] [options]

A health-checked TCP load balancer with an active/standby virtual IP. Settings come from defaults, then
FILE (JSON or YAML; frontends and pools are described there, see proxy/README.md), then WARREN_PROXY_*
environment variables, then flags. SIGHUP reloads FILE; SIGTERM hands the VIP over and drains.

options:
  --config FILE            JSON or YAML settings file
  --check-config           validate the configuration and exit
  --help                   show this help
${helpText(PROXY_SCHEMA)}`;

function fail(message: string): never {
  console.error(`warren-proxy: ${message}`);
  process.exit(2);
}

function load(file: string | undefined, flags: Record<string, unknown>): ProxyConfig {
  return resolveProxyConfig({ ...(file ? { file: readConfigFile(file) } : {}), env: process.env, flags });
}

async function main(): Promise<void> {
  let values: Record<string, string | true>;
  try {
    values = parseFlags(process.argv.slice(2), [...flagNames(PROXY_SCHEMA), 'config'], ['help', 'check-config']);
  } catch (e) {
    fail(`${(e as Error).message}; see warren-proxy --help`);
  }
  if (values['help']) {
    console.log(USAGE);
    return;
  }
  const { config: file, help: _h, 'check-config': checkOnly, ...flags } = values;
  const configFile = typeof file === 'string' ? file : undefined;
  let config: ProxyConfig;
  try {
    config = load(configFile, flags);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  if (checkOnly) {
    console.log('warren-proxy: configuration is valid');
    return;
  }
  const log = createLogger(config.logLevel, 'warren-proxy');
  const proxy = new Proxy(config, log);
  try {
    await proxy.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') fail(`cannot listen: ${err.message}`);
    fail(err.message);
  }
  log.info({ statsPort: proxy.statsAddress?.port, frontends: config.frontends.map((f) => f.name), vip: config.vip.mode }, 'warren-proxy started');

  process.on('SIGHUP', () => {
    if (!configFile) return log.warn('SIGHUP: no --config file to reload');
    let next: ProxyConfig;
    try {
      next = load(configFile, flags);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'reload refused; keeping the running configuration');
      return;
    }
    proxy.reload(next).catch((e: Error) => log.error({ err: e.message }, 'reload failed part way'));
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, grace: config.shutdownGrace }, 'shutting down: handing over the VIP, draining sessions');
    void proxy.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
