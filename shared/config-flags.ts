import { parseArgs } from 'node:util';
import { ConfigError } from './config.js';

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/**
 * Command-line flags: `--name value` or `--name=value` for the `strings`, bare `--name` for the
 * `booleans`. parseArgs' strict mode reports problems in several lines and refuses `--heartbeat -1` as
 * ambiguous, so it runs lenient here and each problem becomes one ConfigError naming the flag and value.
 */
export function parseFlags(argv: readonly string[], strings: readonly string[], booleans: readonly string[]): Record<string, string | true> {
  const options = Object.fromEntries([...strings.map((n) => [n, { type: 'string' }]), ...booleans.map((n) => [n, { type: 'boolean' }])]);
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const out: Record<string, string | true> = {};
  tokens.forEach((tok, i) => {
    if (tok.kind === 'option-terminator') throw new ConfigError('argument', '--', 'no positional arguments are taken');
    if (tok.kind === 'positional') throw new ConfigError('argument', tok.value, 'no positional arguments are taken');
    if (strings.includes(tok.name)) {
      // `--data-dir --amqp-port 1` is a forgotten value, not a folder named --amqp-port
      if (tok.value === undefined || (!tok.inlineValue && tok.value.startsWith('--'))) throw new ConfigError(tok.rawName, undefined, 'expected a value after it');
      out[tok.name] = tok.value;
    } else if (booleans.includes(tok.name)) {
      if (tok.value !== undefined) throw new ConfigError(tok.rawName, tok.value, 'takes no value');
      out[tok.name] = true;
    } else {
      throw new ConfigError(tok.rawName, tok.value ?? positionalAt(tokens[i + 1]), 'unknown option');
    }
  });
  return out;
}

/** The value a user most likely meant for an unknown flag: the word after it, if that is no flag. */
const positionalAt = (tok: Token | undefined): string | undefined => (tok?.kind === 'positional' ? tok.value : undefined);
