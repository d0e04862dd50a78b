/**
 * A bad setting from any source stops the node at start: exit code 2 and exactly one line, naming the
 * key as the user wrote it and the bad value. A WARREN_* variable that names no setting is a warning.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { freePort, tempDataDir } from '../../helpers/node.js';
import { refused, start } from './warren.js';

// each case starts a node process: seconds apiece on a loaded machine
t.setTimeout(600_000);

interface Case {
  readonly name: string;
  readonly args?: string[];
  readonly env?: NodeJS.ProcessEnv;
  /** a config file: its name (the extension says JSON or YAML) and text */
  readonly file?: [string, string];
  /** what the one line must say */
  readonly line: RegExp;
}

const cases: Case[] = [
  { name: 'a bad flag value', args: ['--amqp-port', 'abc'], line: /^warren: invalid --amqp-port: "abc" \(expected a port number 0-65535\)$/ },
  { name: 'a negative flag value', args: ['--heartbeat', '-1'], line: /^warren: invalid --heartbeat: "-1" \(expected an integer 0-65535\)$/ },
  { name: 'an unknown flag', args: ['--amqp-prot', '5673'], line: /^warren: invalid --amqp-prot: "5673" \(unknown option\); see warren --help$/ },
  { name: 'a flag without its value', args: ['--frame-max'], line: /^warren: invalid --frame-max: no value / },
  { name: 'a bad environment value', env: { WARREN_HEARTBEAT: '-1' }, line: /^warren: invalid WARREN_HEARTBEAT: "-1" \(expected an integer 0-65535\)$/ },
  { name: 'a bad environment choice', env: { WARREN_LOG_LEVEL: 'loud' }, line: /^warren: invalid WARREN_LOG_LEVEL: "loud" \(expected one of fatal, / },
  { name: 'an unknown config key', file: ['w.yaml', 'amqp-prot: 5673\n'], line: /^warren: invalid config key 'amqp-prot': 5673 \(unknown setting; known: amqp-port, / },
  { name: 'a bad config value (YAML)', file: ['w.yaml', 'heartbeat: -1\n'], line: /^warren: invalid config key 'heartbeat': -1 \(expected an integer 0-65535\)$/ },
  { name: 'a bad config value (JSON)', file: ['w.json', '{"frame-max": "big"}'], line: /^warren: invalid config key 'frame-max': "big" \(expected an integer 4096-16777216\)$/ },
  { name: 'a config file that does not parse', file: ['w.yaml', 'heartbeat: [\n'], line: /^warren: invalid --config: ".*w\.yaml" \(not valid YAML: / },
  { name: 'a config file that is not there', args: ['--config', '/nonexistent/warren.yaml'], line: /^warren: invalid --config: "\/nonexistent\/warren\.yaml" \(ENOENT/ },
  { name: 'a data folder inside a file', file: ['w.yaml', ''], args: ['--data-dir', '/dev/null/data'], line: /^warren: cannot start: ENOTDIR: not a directory, mkdir '\/dev\/null\/data'$/ },
];

/** Exit code 2, and exactly one line printed, matching `line`. */
function refusedWith(t: Test, { code, lines }: { code: number | null; lines: string[] }, line: RegExp): void {
  t.equal(code, 2, 'exit code 2');
  t.equal(lines.length, 1, `one line: ${JSON.stringify(lines)}`);
  t.match(lines[0], line);
}

for (const c of cases) {
  t.test(c.name, async (t) => {
    const temp = tempDataDir();
    t.teardown(temp.remove);
    const fileArgs = c.file ? ['--config', join(temp.dir, c.file[0])] : [];
    if (c.file) writeFileSync(fileArgs[1]!, c.file[1]);
    // listeners on free ports, in case the setting were (wrongly) accepted: 5672 is never assumed free
    const safe = ['--amqp-port', '0', '--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', join(temp.dir, 'data')];
    refusedWith(t, await refused(t, [...safe, ...fileArgs, ...(c.args ?? [])], c.env), c.line);
  });
}

t.test('a port in use: one line (with the info logs of what had started left out)', async (t) => {
  const taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  t.teardown(() => taken.close());
  const temp = tempDataDir();
  t.teardown(temp.remove);
  const port = (taken.address() as AddressInfo).port;
  const result = await refused(t, ['--amqp-port', String(port), '--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', temp.dir, '--log-level', 'warn']);
  refusedWith(t, result, new RegExp(`^warren: cannot start: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}$`));
});

t.test('an unknown WARREN_* variable: a warning naming it (not its value), and the node starts', async (t) => {
  const temp = tempDataDir();
  t.teardown(temp.remove);
  const port = await freePort();
  const env = { WARREN_AMQP_PROT: 'secret-5673', WARREN_PROXY_STATS: 'off', WARREN_MGMT_URL: 'http://127.0.0.1:1', WARREN_LOG_LEVEL: 'warn' };
  const node = await start(t, port, ['--amqp-port', String(port), '--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', temp.dir], env);
  t.equal(node.stderr(), 'warren: warning: ignoring environment variable WARREN_AMQP_PROT: no such setting (see warren --help)\n', "one line; warren-proxy's and warrenctl's variables are not warned about");
});
