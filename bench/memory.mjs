#!/usr/bin/env node
// Memory benchmark for the user's notes §9.3 (a benchmark, never a test: it exits 0 whether or not targets are
// met). For a normal and a lazy queue, each on a freshly spawned node with a fresh data folder and no consumer:
//   transient:  publish COUNT x SIZE transient messages with a confirm window; broker RSS growth
//               (/proc/PID/status VmRSS) and time to publish; then time to drain.
//   persistent: the same with persistent messages into the durable queue, then SIGTERM and start again on the
//               folder: time to restart (spawn to listening) and the store's own recovery time (its
//               'message store recovered' log line), RSS after recovery, then time to drain.
// Targets are printed next to the results: lazy RSS growth < 64 MB, normal growth < 1.3 x payload.
// Bounded: a variant is abandoned when the broker's RSS passes 4 GB or a phase outlives --budget seconds.
//
// usage: node bench/memory.mjs [--count N] [--size BYTES] [--window N] [--budget SECONDS] [--only LIST]
//   (npm run build first; LIST is a comma list of normal-transient,lazy-transient,normal-persistent,lazy-persistent)
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(root, 'dist', 'node', 'main.js');
const MB = 1024 * 1024;
const RSS_LIMIT = 4 * 1024 * MB;

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '1024' },
    window: { type: 'string', default: '1000' },
    budget: { type: 'string', default: '240' },
    only: { type: 'string', default: 'normal-transient,lazy-transient,normal-persistent,lazy-persistent' },
  },
});
const COUNT = Number(opts.count);
const SIZE = Number(opts.size);
const WINDOW = Number(opts.window);
const BUDGET_MS = Number(opts.budget) * 1000;
const PAYLOAD = COUNT * SIZE;

class Abort extends Error {}

const rssOf = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmtMB = (b) => (b === null ? '-' : `${(b / MB).toFixed(1)} MB`);
const fmtS = (ms) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForPort(port, child, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Abort(`node exited (${child.exitCode ?? child.signalCode})`);
    const ok = await new Promise((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => (s.destroy(), resolve(false)));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Abort(`node not listening after ${ms} ms`);
    await sleep(20);
  }
}

const mgmtFlags = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' }).stdout?.includes('--mgmt-port') ? ['--mgmt-port', '0', '--mgmt-host', '127.0.0.1'] : [];

/** Spawns a node on `dir` at info level; watches its RSS (peak, 4 GB abort) and keeps its store log lines. */
async function startNode(dir) {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN, '--amqp-port', String(port), '--amqp-host', '127.0.0.1', ...mgmtFlags, '--data-dir', dir], {
    env: { ...process.env, WARREN_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const node = { child, port, url: `amqp://guest:guest@127.0.0.1:${port}`, peak: 0, overLimit: false, storeLines: [], errors: '' };
  let partial = '';
  let lineArrived = () => {};
  child.stdout.on('data', (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop();
    for (const l of lines) if (l.includes('message store') || l.includes('"level":50') || l.includes('"level":60')) node.storeLines.push(l);
    lineArrived();
  });
  /** The first store line containing `text`, or null after `ms`. */
  node.storeLine = async (text, ms) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = node.storeLines.find((l) => l.includes(text));
      if (line || Date.now() > deadline) return line ?? null;
      await new Promise((r) => {
        lineArrived = r;
        setTimeout(r, 100);
      });
    }
  };
  child.stderr.on('data', (d) => (node.errors = (node.errors + d).slice(-2000)));
  node.sampler = setInterval(() => {
    try {
      node.peak = Math.max(node.peak, rssOf(child.pid));
      if (node.peak > RSS_LIMIT && !node.overLimit) {
        node.overLimit = true;
        child.kill('SIGKILL');
      }
    } catch {}
  }, 200);
  try {
    await waitForPort(port, child, 120_000);
  } catch (e) {
    await stopNode(node, 'SIGKILL');
    throw new Abort(`${e.message}: ${(node.errors || node.storeLines.join(' ')).trim().slice(-600)}`);
  }
  node.startMs = Date.now() - started;
  return node;
}

async function stopNode(node, signal) {
  clearInterval(node.sampler);
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = once(node.child, 'exit');
  node.child.kill(signal);
  await Promise.race([exited, sleep(30_000).then(() => node.child.kill('SIGKILL'))]);
  await exited;
}

function check(node) {
  if (node.overLimit) throw new Abort(`broker RSS passed ${fmtMB(RSS_LIMIT)}`);
}

/** Publishes COUNT messages with at most WINDOW unconfirmed; resolves with how many were confirmed. */
async function publishAll(node, ch, queue, persistent) {
  const body = Buffer.alloc(SIZE, 120);
  const deadline = Date.now() + BUDGET_MS;
  let sent = 0;
  let confirmed = 0;
  let watchdog;
  await new Promise((resolve, reject) => {
    watchdog = setInterval(() => (node.overLimit || Date.now() > deadline ? resolve() : null), 500);
    const pump = () => {
      if (node.overLimit || Date.now() > deadline) return resolve();
      while (sent < COUNT && sent - confirmed < WINDOW) {
        sent++;
        ch.publish('', queue, body, { persistent }, (err) => {
          if (err) return reject(new Abort(`publish failed: ${err.message ?? err}`));
          if (++confirmed === COUNT) resolve();
          else if (sent - confirmed < WINDOW / 2) setImmediate(pump);
        });
      }
    };
    pump();
  }).finally(() => clearInterval(watchdog));
  check(node);
  if (confirmed < COUNT) throw new Abort(`only ${confirmed} of ${COUNT} confirmed within the ${BUDGET_MS / 1000} s budget`);
  return confirmed;
}

/** Consumes `n` messages (prefetch 2000, acked with multiple every 500); resolves with the time taken. */
async function drain(node, conn, queue, n) {
  const ch = await conn.createChannel();
  await ch.prefetch(2000);
  const started = Date.now();
  let got = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Abort(`drain: ${got} of ${n} within the budget`)), BUDGET_MS);
    ch.consume(queue, (m) => {
      if (++got % 500 === 0 || got === n) ch.ack(m, true);
      if (got === n) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  check(node);
  return Date.now() - started;
}

async function variant(mode, persistence) {
  const r = { name: `${mode} ${persistence}`, publishMs: null, growth: null, peak: null, restartMs: null, recoverLog: null, recoveredRss: null, drainMs: null, note: '' };
  const dir = mkdtempSync(join(tmpdir(), 'warren-memory-'));
  const queue = `bench-${mode}`;
  const persistent = persistence === 'persistent';
  let node = null;
  let conn = null;
  try {
    node = await startNode(dir);
    conn = await amqp.connect(node.url);
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true, arguments: mode === 'lazy' ? { 'x-queue-mode': 'lazy' } : {} });
    await sleep(500);
    const before = rssOf(node.child.pid);
    const started = Date.now();
    await publishAll(node, ch, queue, persistent);
    r.publishMs = Date.now() - started;
    await sleep(1000);
    r.growth = rssOf(node.child.pid) - before;
    r.peak = node.peak;
    if (persistent) {
      await conn.close().catch(() => {});
      conn = null;
      await stopNode(node, 'SIGTERM');
      node = await startNode(dir);
      r.restartMs = node.startMs;
      // the node logs it before listening, but the pipe can deliver it after the port accepts a connection
      const line = await node.storeLine('message store recovered', 5000);
      r.recoverLog = line ? JSON.parse(line) : null;
      r.recoveredRss = rssOf(node.child.pid);
      conn = await amqp.connect(node.url);
      conn.on('error', () => {});
    }
    r.drainMs = await drain(node, conn, queue, COUNT);
    r.peak = Math.max(r.peak, node.peak);
    const errors = node.storeLines.filter((l) => /"level":(50|60)/.test(l));
    if (errors.length > 0) r.note = `${errors.length} error log lines, first: ${errors[0].slice(0, 200)}`;
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
    r.note = `ABORTED: ${e.message}`;
    if (node) r.peak = Math.max(r.peak ?? 0, node.peak);
  } finally {
    if (conn) await conn.close().catch(() => {});
    if (node) await stopNode(node, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

function target(r) {
  if (r.growth === null) return '-';
  if (r.name.startsWith('lazy')) return `< 64 MB: ${r.growth < 64 * MB ? 'met' : 'MISSED'}`;
  const ratio = r.growth / PAYLOAD;
  return `< 1.3x payload: ${ratio.toFixed(2)}x ${ratio < 1.3 ? 'met' : 'MISSED'}`;
}

async function main() {
  if (!existsSync(MAIN)) {
    console.log(`memory: ${MAIN} not found; run npm run build first`);
    return;
  }
  console.log(`Warren memory benchmark (notes §9.3): ${COUNT} x ${SIZE} B = ${fmtMB(PAYLOAD)} payload, confirm window ${WINDOW}, no consumer while publishing`);
  console.log(`budget ${BUDGET_MS / 1000} s per phase, a variant is abandoned above ${fmtMB(RSS_LIMIT)} RSS\n`);
  const rows = [];
  for (const v of opts.only.split(',')) {
    const [mode, persistence] = v.split('-');
    const r = await variant(mode, persistence);
    rows.push(r);
    const rate = r.publishMs ? `${Math.round(COUNT / (r.publishMs / 1000))} msg/s` : '-';
    const rec = r.recoverLog ? `store recovered ${r.recoverLog.messages} msgs / ${r.recoverLog.records} records in ${r.recoverLog.ms} ms` : '';
    console.log(`${r.name.padEnd(18)} publish ${fmtS(r.publishMs)} (${rate}); RSS growth ${fmtMB(r.growth)} [target ${target(r)}], peak ${fmtMB(r.peak)}`);
    if (persistence === 'persistent') console.log(`${''.padEnd(18)} restart to listening ${fmtS(r.restartMs)}; ${rec || 'no recovery log line'}; RSS after recovery ${fmtMB(r.recoveredRss)}`);
    console.log(`${''.padEnd(18)} drain ${fmtS(r.drainMs)}${r.drainMs ? ` (${Math.round(COUNT / (r.drainMs / 1000))} msg/s)` : ''}${r.note ? `\n${''.padEnd(18)} ${r.note}` : ''}`);
  }
  console.log('\nsummary');
  console.log('variant             publish   RSS growth   target                       restart   recovery(log)   drain');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(20)}${fmtS(r.publishMs).padEnd(10)}${fmtMB(r.growth).padEnd(13)}${target(r).padEnd(29)}${fmtS(r.restartMs).padEnd(10)}${(r.recoverLog ? `${r.recoverLog.ms} ms` : '-').padEnd(16)}${fmtS(r.drainMs)}`,
    );
  }
}

main().catch((e) => {
  console.error(`memory: ${e.stack ?? e.message}`);
  process.exit(1);
});
