#!/usr/bin/env node
import { run } from './run.js';

/** warrenctl: rabbitmqctl's everyday commands against a node's management API (see `warrenctl --help`). */
process.exitCode = await run(process.argv.slice(2));
