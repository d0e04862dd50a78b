#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, flagOptions, helpText, readConfigFile, resolveConfig } from '../shared/config.js';
import { NODE_SCHEMA } from './config.js';
import { startNode } from './index.js';

const USAGE = `usage: warren [--config FILE] [options]

Starts a Warren broker node. Settings come from defaults, then FILE (JSON or YAML, kebab-case keys),
then WARREN_* environment variables, then flags.

options:
  --config FILE            JSON or YAML settings file
  --help                   show this help
${helpText(NODE_SCHEMA)}`;

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: { ...flagOptions(NODE_SCHEMA), config: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(`${(e as Error).message} (see warren --help)`);
  }
  if (values['help']) {
    console.log(USAGE);
    return;
  }
  const { config: file, help: _help, ...flags } = values;
  try {
    const config = resolveConfig(NODE_SCHEMA, {
      ...(typeof file === 'string' ? { file: readConfigFile(file) } : {}),
      env: process.env,
      flags,
    });
    const node = await startNode(config);
    const stop = (signal: string): void => {
      node.log.info({ signal }, 'shutting down');
      void node.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(`cannot listen: ${(e as Error).message}`);
    throw e;
  }
}

function fail(message: string): never {
  console.error(`warren: ${message}`);
  process.exit(2);
}

void main();
