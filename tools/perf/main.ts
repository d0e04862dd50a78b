#!/usr/bin/env node
import { runIdle } from './idle.js';
import { parseOptions, USAGE } from './options.js';
import { runLoad } from './run-load.js';

/** warren-perf: prints progress on stderr and one JSON result line on stdout. Exit 1 when clients failed. */
async function main(): Promise<void> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`warren-perf: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (opts === 'help') {
    console.log(USAGE);
    return;
  }
  if (opts.idleConnections > 0) {
    console.log(JSON.stringify(await runIdle(opts)));
    process.exit(0);
  }
  const result = await runLoad(opts);
  console.log(JSON.stringify(result));
  process.exit(result['failed'] || result['errors'] ? 1 : 0);
}

main().catch((e: Error) => {
  console.error(`warren-perf: ${e.message}`);
  process.exit(1);
});
