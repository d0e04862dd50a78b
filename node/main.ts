#!/usr/bin/env node
import { parseFlags } from '../shared/config-flags.js';
import { ConfigError, flagNames, helpText, readConfigFile, resolveConfig, unknownEnv } from '../shared/config.js';
import { NODE_SCHEMA, OTHER_PROGRAMS_ENV } from './config.js';

const USAGE = `usage: warren [--config FILE] [options]

Starts a Warren broker node. Settings come from defaults, then FILE (JSON or YAML, kebab-case keys),
then WARREN_* environment variables, then flags. A WARREN_* variable that names no setting is ignored
with a warning.

options:
  --config FILE            JSON or YAML settings file
  --help                   show this help
${helpText(NODE_SCHEMA)}`;

async function main(): Promise<void> {
  let flags: Record<string, string | true>;
  try {
    flags = parseFlags(process.argv.slice(2), [...flagNames(NODE_SCHEMA), 'config'], ['help']);
  } catch (e) {
    fail(`${(e as Error).message}; see warren --help`);
  }
  if (flags['help']) {
    console.log(USAGE);
    return;
  }
  const { config: file, ...settings } = flags;
  for (const name of unknownEnv(NODE_SCHEMA, process.env, 'WARREN_', OTHER_PROGRAMS_ENV)) {
    console.error(`warren: warning: ignoring environment variable ${name}: no such setting (see warren --help)`);
  }
  try {
    const config = resolveConfig(NODE_SCHEMA, {
      ...(typeof file === 'string' ? { file: readConfigFile(file) } : {}),
      env: process.env,
      flags: settings,
    });
    // loaded once the settings are good: a bad one is reported without loading the whole broker first
    const { startNode } = await import('./index.js');
    const node = await startNode(config);
    const stop = (signal: string): void => {
      node.log.info({ signal }, 'shutting down');
      void node.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    // a system error at start (port taken, address not local, data folder not writable) is the
    // environment's doing, not a bug: one line; anything else keeps its stack trace
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) fail(`cannot start: ${(e as Error).message}`);
    throw e;
  }
}

function fail(message: string): never {
  console.error(`warren: ${message}`);
  process.exit(2);
}

void main();
