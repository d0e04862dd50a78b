#!/usr/bin/env node
// `npm run bench [-- --scenarios a,c --seconds N]`: builds, starts a Warren node of its own, and runs issue 6's
// scenarios against it and, in the same run, against a RabbitMQ on loopback when one is reachable; prints one
// table. A benchmark, never a test: it exits 0 whether or not targets are met. `--help` lists the flags.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findRabbitMQ, startWarren } from './brokers.mjs';
import { compareTools } from './compare.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { formatDetails, formatTable } from './table.mjs';
import { measure } from './measure.mjs';
import { proxyBench } from './proxy.mjs';
import { buildAmqpload } from './tools.mjs';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');

// (h) holds 10,000 connections: both the broker and the generator need that many descriptors. Re-run this
// script under a shell that raised the limit (children inherit it).
if (process.env.WARREN_BENCH_ULIMIT === undefined) {
  const script = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; WARREN_BENCH_ULIMIT="$(ulimit -n)" exec "$@"';
  const r = spawnSync('sh', ['-c', script, 'sh', process.execPath, self, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

const USAGE = `usage: npm run bench -- [options]
  --scenarios LIST   comma-separated of a,b,c,d,e,f,g,h,proxy (default all); add "memory" to also run bench/memory.mjs;
                     "proxy": a and c direct / via warren-proxy / via HAProxy (when installed), --repeat N (default 5)
  --seconds N        measured seconds per run (default 15); --warmup N seconds before it (default 2)
  --connections N    idle connections for (h) (default 10000)
  --tool T           amqpload | warren-perf (default: amqpload when it builds, else warren-perf)
  --compare-tools    instead of the table: run each scenario with both tools on each broker (agreement check),
                     alternating --repeat N times (default 1) and comparing medians
  --no-build         use dist/ as it is
env: WARREN_BENCH_RABBITMQ=host:port (loopback only; default 127.0.0.1:5672; "off" to skip)`;

const { values: argv } = parseArgs({
  options: {
    scenarios: { type: 'string' }, seconds: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' },
    tool: { type: 'string' }, 'compare-tools': { type: 'boolean' }, repeat: { type: 'string' }, 'no-build': { type: 'boolean' }, help: { type: 'boolean' },
  },
});
if (argv.help) {
  console.log(USAGE);
  process.exit(0);
}
const wanted = (argv.scenarios ?? 'a,b,c,d,e,f,g,h,proxy').split(',').map((s) => s.trim()).filter(Boolean);
const seconds = Number(argv.seconds ?? 15);
const warmup = Number(argv.warmup ?? 2);
const connections = Number(argv.connections ?? 10_000);
const log = (s) => console.error(`bench: ${s}`);

function build() {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
    return 'built (tsc clean)';
  } catch (e) {
    const errors = String(e.stdout ?? '').split('\n').filter((l) => l.includes('error TS')).length;
    for (const f of ['dist/node/main.js', 'dist/tools/perf/main.js']) if (!existsSync(join(root, f))) throw new Error(`build failed, no ${f}`);
    return `built; tsc reported ${errors} type errors, the emitted JavaScript is used`;
  }
}

function chooseTool() {
  if (argv.tool === 'warren-perf') return { kind: 'warren-perf', note: 'warren-perf (--tool)' };
  const a = buildAmqpload(root);
  if (a.path) return { kind: 'amqpload', path: a.path, note: `amqpload (built from ../shared/bench into ${a.path})` };
  if (argv.tool === 'amqpload') throw new Error(`amqpload: ${a.reason}`);
  return { kind: 'warren-perf', note: `warren-perf for both brokers: amqpload unavailable (${a.reason})` };
}

async function main() {
  const started = new Date();
  const load0 = loadavg();
  const buildNote = argv['no-build'] ? 'not rebuilt (--no-build)' : build();
  const tool = chooseTool();
  let warren = await startWarren(root);
  const stop = () => warren.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const rabbit = await findRabbitMQ();
  console.log(`# Warren bench, ${started.toISOString()}`);
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start; node ${process.version}; ulimit -n ${process.env.WARREN_BENCH_ULIMIT}`);
  console.log(`Warren: ${buildNote}; pid ${warren.pid} on 127.0.0.1:${warren.port}, fresh data dir`);
  console.log(`RabbitMQ: ${rabbit.skipped ? `not measured (${rabbit.skipped})` : `${rabbit.host}:${rabbit.port}, beam.smp pid ${rabbit.pid ?? 'unknown'}, its open-files limit ${rabbit.openFiles ?? 'unknown'}`}`);
  console.log(`load generator: ${tool.note}; (h) always uses warren-perf --idle-connections`);
  console.log(`scenarios ${wanted.join(',')}, --seconds ${seconds} --warmup ${warmup}`);
  const brokers = () => (rabbit.skipped ? [warren] : [warren, rabbit]);
  const raw = [];
  try {
    if (argv['compare-tools']) {
      const t = tool.kind === 'amqpload' ? tool : null;
      if (!t) throw new Error('--compare-tools needs amqpload');
      console.log(await compareTools(SCENARIOS.filter((s) => wanted.includes(s.key) && s.key !== 'h'), brokers(), { root, amqpload: t, seconds, warmup, connections, log, raw, repeat: Number(argv.repeat ?? 1) }));
      return;
    }
    const rows = [];
    for (const s of SCENARIOS.filter((x) => wanted.includes(x.key))) {
      const per = [];
      if (s.freshWarren) {
        // memory figures need a node without the garbage of earlier scenarios
        await warren.stop();
        warren = await startWarren(root);
        log(`restarted Warren for ${s.key}: pid ${warren.pid} on 127.0.0.1:${warren.port}`);
      }
      for (const b of brokers()) {
        const m = await measure(s, b, tool, { root, seconds, warmup, connections, log });
        raw.push({ scenario: s.key, broker: b.name, results: m.results });
        per.push(m.rows);
        await new Promise((r) => setTimeout(r, 1000));
      }
      per[0].forEach((row, i) => rows.push({ ...row, warren: row.value, rabbit: per[1]?.[i]?.value, warrenDetail: row.detail, rabbitDetail: per[1]?.[i]?.detail }));
    }
    if (rows.length) {
      console.log('');
      console.log(formatTable(rows));
      console.log('\ndetails:');
      console.log(formatDetails(rows));
    }
    if (wanted.includes('proxy')) console.log(await proxyBench({ root, tool, warren, seconds, warmup, connections, log, raw, repeat: Number(argv.repeat ?? 5) }));
  } finally {
    await warren.stop();
    if (tool.path) rmSync(dirname(tool.path), { recursive: true, force: true });
    const out = join(mkdtempSync(join(tmpdir(), 'warren-bench-results-')), 'results.json');
    writeFileSync(out, JSON.stringify(raw, null, 1));
    console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end; raw results: ${out}`);
  }
  if (wanted.includes('memory')) runMemory();
}

/** bench/memory.mjs belongs to the memory work; run as it is, bounded, when asked for. */
function runMemory() {
  const file = join(root, 'bench', 'memory.mjs');
  if (!existsSync(file)) return console.log('\nmemory: bench/memory.mjs not present, skipped');
  console.log('\n## bench/memory.mjs');
  const r = spawnSync(process.execPath, [file], { cwd: root, stdio: 'inherit', timeout: 1_200_000 });
  if (r.status !== 0) console.log(`memory: bench/memory.mjs ended with ${r.status ?? r.signal}`);
}

main().catch((e) => {
  console.error(`bench: ${e.stack ?? e.message}`);
  process.exit(1); // the bench itself broke; a missed target is never an error
});
