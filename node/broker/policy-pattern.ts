/** A pattern JavaScript refuses (`untranslatable`: PCRE would take it, but Warren cannot say it in JavaScript). */
export class PatternError extends Error {
  override readonly name = 'PatternError';
  constructor(
    readonly reason: string,
    readonly untranslatable: boolean,
  ) {
    super(reason);
  }
}

/** PCRE escapes with a meaning JavaScript lacks or reads otherwise (`\v` is one character there, a class here). */
const UNTRANSLATABLE_ESCAPES = new Set('CgGhHKNopPRvVX');
const ESCAPES: Readonly<Record<string, string>> = {
  A: '(?<![\\s\\S])',
  z: '(?![\\s\\S])',
  Z: '(?=\\n?(?![\\s\\S]))',
  a: '\\x07',
  e: '\\x1b',
};
/** POSIX classes inside brackets ([[:alpha:]]), as the ASCII ranges PCRE gives them. */
const POSIX: Readonly<Record<string, string>> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  ascii: '\\x00-\\x7f',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\x0b\\f\\r ',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
};
const QUANTIFIER = /^\{\d+(,\d*)?\}/;
const LEADING_OPTIONS = /^\(\?([imsx]*)(?:-[imsx]*)?\)/;

/**
 * A policy pattern as RabbitMQ reads it (Erlang `re`, which is PCRE) in a JavaScript RegExp of the same
 * meaning: option settings at the start ((?i), (?s), (?m), (?x)), \A \z \Z, \Q...\E, POSIX classes, a `]`
 * first in a class, and PCRE's `.`, `$` and multiline `^` (a newline is \n alone; `$` also matches before
 * a final newline). What JavaScript cannot express (options later on, \G, atomic groups, possessive
 * quantifiers, recursion...) throws an untranslatable PatternError; what it finds invalid, a plain one.
 */
export function compilePattern(pattern: string): RegExp {
  let rest = pattern;
  const options = new Set<string>();
  for (let m = LEADING_OPTIONS.exec(rest); m; m = LEADING_OPTIONS.exec(rest)) {
    for (const o of m[1]!) options.add(o);
    rest = rest.slice(m[0].length);
  }
  const source = new Translator(rest, options).run();
  try {
    return new RegExp(source, options.has('i') ? 'i' : '');
  } catch (e) {
    throw new PatternError((e as Error).message.replace(/^.*: /, ''), false);
  }
}

/** compilePattern's RegExp, or the PatternError it throws (any other error is thrown). */
export function tryCompilePattern(pattern: string): RegExp | PatternError {
  try {
    return compilePattern(pattern);
  } catch (e) {
    if (e instanceof PatternError) return e;
    throw e;
  }
}

class Translator {
  private i = 0;
  private out = '';

  constructor(
    private readonly p: string,
    private readonly options: ReadonlySet<string>,
  ) {}

  run(): string {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i++]!;
      if (this.options.has('x') && /\s/.test(c)) continue;
      if (this.options.has('x') && c === '#') this.skipPast('\n');
      else if (c === '\\') this.escape(false);
      else if (c === '[') this.bracket();
      else if (c === '(') this.group();
      else if (c === '.') this.out += this.options.has('s') ? '[\\s\\S]' : '[^\\n]';
      else if (c === '$') this.out += this.options.has('m') ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
      else if (c === '^') this.out += this.options.has('m') ? '(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))' : '^';
      else if (c === '*' || c === '+' || c === '?') this.quantifier(c);
      else if (c === '{' && QUANTIFIER.test(p.slice(this.i - 1))) this.quantifier(QUANTIFIER.exec(p.slice(this.i - 1))![0]);
      else this.out += c;
    }
    return this.out;
  }

  private refuse(what: string): never {
    throw new PatternError(`Warren cannot translate ${what} to a JavaScript regular expression`, true);
  }

  private skipPast(end: string): void {
    const at = this.p.indexOf(end, this.i);
    this.i = at < 0 ? this.p.length : at + end.length;
  }

  private quantifier(q: string): void {
    this.i += q.length - 1;
    if (this.p[this.i] === '+') this.refuse(`the possessive quantifier ${q}+`);
    this.out += q;
  }

  /** After a backslash: PCRE's escapes JavaScript lacks become their equivalents. */
  private escape(inClass: boolean): void {
    const p = this.p;
    const c = p[this.i++];
    if (c === undefined) throw new PatternError('\\ at end of pattern', false);
    if (c === 'Q') {
      const end = p.indexOf('\\E', this.i);
      const literal = p.slice(this.i, end < 0 ? undefined : end);
      this.i = end < 0 ? p.length : end + 2;
      this.out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    } else if (c === 'E') {
      // a stray \E means nothing
    } else if (c === 'x' && p[this.i] === '{') {
      const m = /^\{([0-9a-fA-F]{1,4})\}/.exec(p.slice(this.i));
      if (!m) this.refuse(`\\x${p.slice(this.i, p.indexOf('}', this.i) + 1)}`);
      this.out += `\\u${m[1]!.padStart(4, '0')}`;
      this.i += m[0].length;
    } else if (UNTRANSLATABLE_ESCAPES.has(c)) {
      this.refuse(`\\${c}`);
    } else if (c === 'a' || c === 'e' || (!inClass && ESCAPES[c] !== undefined)) {
      this.out += ESCAPES[c];
    } else {
      this.out += `\\${c}`;
    }
  }

  /** A character class: `]` right after `[` or `[^` is a member, POSIX classes are spelled out. */
  private bracket(): void {
    const p = this.p;
    this.out += '[';
    if (p[this.i] === '^') this.out += p[this.i++];
    if (p[this.i] === ']') {
      this.out += '\\]';
      this.i++;
    }
    while (this.i < p.length) {
      const c = p[this.i++]!;
      if (c === ']') {
        this.out += ']';
        return;
      }
      if (c === '\\') this.escape(true);
      else if (c === '[' && p[this.i] === ':') this.posix();
      else this.out += c === '[' ? '\\[' : c;
    }
    throw new PatternError('missing terminating ] for character class', false);
  }

  private posix(): void {
    const m = /^:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i));
    if (!m) {
      this.out += '\\[';
      return;
    }
    const range = POSIX[m[2]!];
    if (range === undefined) throw new PatternError(`unknown POSIX class name [:${m[2]}:]`, false);
    if (m[1]) this.refuse(`the negated POSIX class [:^${m[2]}:]`);
    this.out += range;
    this.i += m[0].length;
  }

  /** After `(`: groups JavaScript has pass; comments go; named groups are respelled. */
  private group(): void {
    const rest = this.p.slice(this.i);
    if (rest.startsWith('*')) this.refuse(`the verb (${rest.slice(0, rest.indexOf(')') + 1)}`);
    if (!rest.startsWith('?')) {
      this.out += '(';
      return;
    }
    const plain = /^\?(?::|=|!|<=|<!)/.exec(rest);
    const named = /^\?(?:P?<(\w+)>|'(\w+)')/.exec(rest);
    const backreference = /^\?P=(\w+)\)/.exec(rest);
    const options = /^\?[imsxJUX-]*[:)]/.exec(rest);
    if (rest.startsWith('?#')) return this.skipPast(')');
    if (plain) this.out += `(${plain[0]}`;
    else if (named) this.out += `(?<${named[1] ?? named[2]}>`;
    else if (backreference) this.out += `\\k<${backreference[1]}>`;
    else if (options) this.refuse(`the option setting (${options[0]} after the start of the pattern`);
    else this.refuse(`the group (${rest.slice(0, 2)}`);
    this.i += (plain ?? named ?? backreference)![0].length;
  }
}
