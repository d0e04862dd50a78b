/**
 * Erlang's rendering of the few terms RabbitMQ puts into error texts: atoms, integers, strings, binaries
 * and tagged tuples of those, as io_lib:format's ~p (io_lib_pretty, 80 columns) and ~w write them. ~p
 * wraps a long term onto indented lines and RabbitMQ sends the newlines as they are, so Warren's texts
 * match byte for byte only if they are wrapped the same way.
 */

/** An Erlang string (a list of characters), printed "like this". */
export class Chars {
  constructor(readonly text: string) {}
}

/** Atoms are JavaScript strings (only plain lower-case ones are used: no quoting), tuples are arrays. */
export type ErlangTerm = string | number | Chars | Buffer | readonly ErlangTerm[];

const LINE = 80;
const ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x08: '\\b', 0x0c: '\\f', 0x1b: '\\e', 0x7f: '\\d' };

/** A character of an Erlang string or binary as Erlang writes it in a literal: its escape, `\^X` for another control character, else itself. */
export const erlangEscape = (code: number): string => ESCAPES[code] ?? (code < 0x20 ? `\\^${String.fromCharCode(code + 64)}` : String.fromCharCode(code));

/** ~w of a binary: its bytes as integers, on one line. */
export function writeBytes(b: Buffer): string {
  return `<<${b.join(',')}>>`;
}

/** ~p of `t` starting at 1-based column `col` of the current line. */
export function printTerm(t: ErlangTerm, col: number): string {
  const flat = write(t);
  if (flat.length < LINE - col) return flat;
  if (Array.isArray(t)) return tagTuple(t as readonly ErlangTerm[], col, flat.length);
  return Buffer.isBuffer(t) && !printable(t) ? wrapBytes(flat, col) : flat;
}

/** ~p on one line: a printable binary as a string, any other as its bytes. */
function write(t: ErlangTerm): string {
  if (typeof t === 'string') return t;
  if (typeof t === 'number') return String(t);
  if (t instanceof Chars) return `"${escape(Buffer.from(t.text, 'latin1'))}"`;
  if (Buffer.isBuffer(t)) return t.length > 0 && printable(t) ? `<<"${escape(t)}">>` : writeBytes(t);
  return `{${t.map(write).join(',')}}`;
}

/** io_lib's printable Latin-1: what ~p shows as a string rather than as numbers. */
function printable(b: Buffer): boolean {
  return b.every((c) => (c >= 0x20 && c <= 0x7e) || c >= 0xa0 || (c >= 0x08 && c <= 0x0d) || c === 0x1b);
}

function escape(b: Buffer): string {
  let s = '';
  for (const c of b) s += erlangEscape(c);
  return s;
}

/** A byte list too long for the line: filled up to the margin, continued under its first byte. */
function wrapBytes(flat: string, col: number): string {
  const indent = `\n${' '.repeat(col + 1)}`;
  const room = Math.max(8, Math.min(LINE - col - 2, flat.length - 4));
  const bytes = flat.slice(2, -2).split(',');
  const last = bytes.pop()!;
  let out = '';
  let left = room;
  for (const b of bytes) {
    const len = b.length + 1;
    if (left < len) {
      out += indent;
      left = room;
    }
    out += `${b},`;
    left -= len;
  }
  return `<<${out}${last.length > left ? indent : ''}${last}>>`;
}

/**
 * A tagged tuple too long for the line, io_lib_pretty's way: the elements after the tag go on as long as
 * they fit, then each on a line of its own, indented by the first indentation that fits (else by one).
 */
function tagTuple(t: readonly ErlangTerm[], col: number, len: number): string {
  const [tag, ...rest] = t.map(write);
  const tagIndent = tag!.length + 2;
  const tagCol = col + tagIndent;
  const fitsAfterTag = len + tagCol < LINE || tagCol < LINE / 2;
  const indent = fitsAfterTag ? -1 : tagIndent > 4 && (len + col + 4 <= LINE || col + 4 <= LINE / 2) ? 4 : 1;
  let out = `{${tag}`;
  let at: number; // the column the next element would start at on this line
  let width: number; // characters of the tuple on this line so far
  let first: number; // the column of an element that starts a new line
  if (indent > 0) {
    first = col + indent;
    at = tagCol;
    width = 1 + tag!.length;
  } else {
    first = at = tagCol;
    width = 2 + tag!.length;
    const e = rest.shift()!;
    const fits = e.length < LINE - at - (rest.length > 0 ? 0 : 1);
    out += `,${e}`;
    at += fits ? e.length : LINE;
    width += fits ? e.length : LINE;
  }
  const lineBreak = `\n${' '.repeat(first - 1)}`;
  rest.forEach((e, i) => {
    const last = i === rest.length - 1 ? 1 : 0;
    const grow = 1 + e.length;
    if (last === 0 ? grow + 1 < LINE - at && width + grow + 1 <= len : grow < LINE - at - last && width + grow + last <= len) {
      out += `,${e}`;
      at += grow;
      width += grow;
    } else {
      const used = e.length < LINE - first - last ? e.length : LINE;
      out += `,${lineBreak}${e}`;
      at = first + used;
      width = used;
    }
  });
  return `${out}}`;
}
