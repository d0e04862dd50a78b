// Runs one scenario's generator invocations, in order, against one broker and turns them into table rows.
import { commandFor, runTool } from './tools.mjs';

/** opts: { root, seconds, warmup, connections, log } */
export async function measure(scenario, broker, tool, opts) {
  const t = scenario.tool === 'warren-perf' ? { kind: 'warren-perf' } : tool;
  const ctx = {
    seconds: opts.seconds,
    warmup: opts.warmup,
    connections: opts.connections,
    queue: `bench-${scenario.key}-${process.pid}-${broker.name.toLowerCase()}-${t.kind}`,
    monitor: broker.pid ? ['--monitor-pid', String(broker.pid)] : [],
  };
  const results = [];
  for (const flagsFor of scenario.runs) {
    const flags = flagsFor(ctx);
    const secs = Number(flags[flags.indexOf('--seconds') + 1]) || opts.seconds;
    const timeout = scenario.key === 'h' ? 420_000 : (secs + opts.warmup + 150) * 1000;
    opts.log(`${scenario.key} on ${broker.name} with ${t.kind}: ${flags.join(' ')}`);
    const r = await runTool(commandFor(t, opts.root, broker, flags), timeout);
    if (r.error) opts.log(`  ${r.error}`);
    else if (r.error_text) opts.log(`  reported: ${r.error_text}`);
    results.push(r);
  }
  const failed = results.find((r) => r.error);
  const rows = failed
    ? scenario.rows(results.map(() => ({})), broker).map((row) => ({ ...row, value: undefined, detail: `error: ${failed.error}` }))
    : scenario.rows(results, broker);
  return { rows, results };
}
