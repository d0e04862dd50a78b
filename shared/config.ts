import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * A configuration problem, reported as one line naming the key and the bad value (a newline in a key or
 * a parser's message is folded, so a log or terminal shows the whole problem on that line).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`invalid ${key}: ${value === undefined ? 'no value' : JSON.stringify(value)} (${reason})`.replace(/\s*\n\s*/g, ' '));
  }
}

export type Parser<T> = (raw: unknown, key: string) => T;

export const port: Parser<number> = (raw, key) => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(key, raw, 'expected a port number 0-65535');
  return n;
};

export const intRange =
  (min: number, max: number): Parser<number> =>
  (raw, key) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, raw, `expected an integer ${min}-${max}`);
    return n;
  };

export const fraction: Parser<number> = (raw, key) => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new ConfigError(key, raw, 'expected a fraction in (0, 1]');
  return n;
};

export const text: Parser<string> = (raw, key) => {
  if (typeof raw !== 'string' || raw === '') throw new ConfigError(key, raw, 'expected a non-empty string');
  return raw;
};

export const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, key) => {
    if (typeof raw !== 'string' || !values.includes(raw as T)) throw new ConfigError(key, raw, `expected one of ${values.join(', ')}`);
    return raw as T;
  };

export const bool: Parser<boolean> = (raw, key) => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const s = raw.toLowerCase();
    if (['true', 'on', 'yes', '1'].includes(s)) return true;
    if (['false', 'off', 'no', '0'].includes(s)) return false;
  }
  throw new ConfigError(key, raw, 'expected true or false');
};

export const stringList: Parser<string[]> = (raw, key) => {
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[];
  if (typeof raw === 'string') return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  throw new ConfigError(key, raw, 'expected a list of strings');
};

/** One setting: its config-file key (kebab-case, also the flag name) and env variable. */
export interface Setting<T> {
  readonly parse: Parser<T>;
  readonly default: T;
  readonly env: string;
  readonly help: string;
}

export type Schema<C> = { readonly [K in keyof C]: Setting<C[K]> };

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Reads a JSON or YAML config file; it must hold a mapping (or nothing). */
export function readConfigFile(path: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', path, (e as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(raw) : parseYaml(raw);
  } catch (e) {
    throw new ConfigError('--config', path, `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed === null) return {}; // empty, or only comments: every setting keeps its default
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('--config', path, 'expected a mapping of settings');
  return parsed as Record<string, unknown>;
}

/**
 * Resolves a configuration: defaults, then the file, then environment, then flags (each overriding the
 * last). Unknown file keys and bad values throw ConfigError naming the key as the user wrote it.
 */
export function resolveConfig<C>(schema: Schema<C>, sources: { file?: Record<string, unknown>; env: NodeJS.ProcessEnv; flags: Record<string, unknown> }): C {
  const out = {} as C;
  const known = new Map<string, keyof C>();
  for (const k of Object.keys(schema) as (keyof C & string)[]) known.set(kebab(k), k);
  for (const key of Object.keys(sources.file ?? {})) {
    if (!known.has(key)) throw new ConfigError(`config key '${key}'`, sources.file![key], `unknown setting; known: ${[...known.keys()].join(', ')}`);
  }
  for (const [name, k] of known) {
    const s = schema[k];
    let v: C[keyof C] = s.default;
    const fileValue = sources.file?.[name];
    if (fileValue !== undefined) v = s.parse(fileValue, `config key '${name}'`);
    const envValue = sources.env[s.env];
    if (envValue !== undefined) v = s.parse(envValue, s.env);
    const flagValue = sources.flags[name];
    if (flagValue !== undefined) v = s.parse(flagValue, `--${name}`);
    out[k] = v;
  }
  return out;
}

/**
 * Environment variables with the program's prefix that name no setting and belong to no other program
 * (`others`: names or prefixes): most likely typos, which would otherwise be ignored without a word.
 */
export function unknownEnv<C>(schema: Schema<C>, env: NodeJS.ProcessEnv, prefix: string, others: readonly string[]): string[] {
  const known = new Set((Object.keys(schema) as (keyof C)[]).map((k) => schema[k].env));
  return Object.keys(env)
    .filter((n) => n.startsWith(prefix) && !known.has(n) && !others.some((o) => n.startsWith(o)))
    .sort();
}

/** The flag (and config file key) of every setting in a schema. */
export const flagNames = <C>(schema: Schema<C>): string[] => Object.keys(schema).map(kebab);

export function helpText<C>(schema: Schema<C>): string {
  return (Object.keys(schema) as (keyof C & string)[])
    .map((k) => `  --${kebab(k).padEnd(22)} ${schema[k].help} (env ${schema[k].env}, default ${JSON.stringify(schema[k].default)})`)
    .join('\n');
}
