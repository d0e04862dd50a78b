/**
 * Erlang's erlang:phash2/2 with range 2^32 (make_hash2 in the Erlang VM) over the few term types RabbitMQ
 * hashes for a binding's properties_key: the hash is part of the key, so tools that build binding URLs
 * from RabbitMQ's rules reach the same binding on Warren.
 */

export type Term =
  | { readonly atom: string }
  | { readonly int: bigint }
  | { readonly float: number }
  | { readonly bin: Buffer }
  /** A proper list of terms (lists of small integers, Erlang strings, are not needed and not modelled). */
  | { readonly list: readonly Term[] }
  | { readonly tuple: readonly Term[] };

// HCONST (the golden ratio) times 1..13, mod 2^32, as the VM names them
const HCONST = 0x9e3779b9;
const HCONST_2 = 0x3c6ef372;
const HCONST_3 = 0xdaa66d2b;
const HCONST_9 = 0x8ff34781;
const HCONST_10 = 0x2e2ac13a;
const HCONST_11 = 0xcc623af3;
const HCONST_12 = 0x6a99b4ac;
const HCONST_13 = 0x08d12e65;
/** The hash of [] when it is the first thing hashed. */
const NIL_FIRST = 3468870702;
/** The VM's tag value for [] (NIL_DEF). */
const NIL_DEF = 2;

/** Erlang's order of binaries (byte-wise), in which RabbitMQ's tables keep their keys. */
export const binaryOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function phash2(term: Term): number {
  const h = new Hasher();
  h.term(term);
  return h.hash;
}

class Hasher {
  hash = 0;

  term(t: Term): void {
    if ('atom' in t) {
      const a = atomHash(t.atom);
      if (this.hash === 0) this.hash = a;
      else this.mix(a, 0, HCONST_3);
    } else if ('int' in t) this.int(t.int);
    else if ('float' in t) this.float(t.float);
    else if ('bin' in t) {
      const seed = (HCONST_13 + this.hash) >>> 0;
      this.hash = t.bin.length === 0 ? seed : blockHash(t.bin, seed);
    } else if ('tuple' in t) {
      this.mix(t.tuple.length, 0, HCONST_9);
      for (const e of t.tuple) this.term(e);
    } else {
      for (const e of t.list) this.term(e);
      if (this.hash === 0) this.hash = NIL_FIRST;
      else this.mix(NIL_DEF, 0, HCONST_2);
    }
  }

  /** Integers of 28 bits or fewer are mixed as 32-bit words, larger ones as 64-bit digits of their magnitude. */
  private int(n: bigint): void {
    if (n >= -(1n << 27n) && n < 1n << 27n) {
      const v = Number(n);
      if (v < 0) this.mix(-v, 0, HCONST);
      this.mix(v >>> 0, 0, HCONST);
      return;
    }
    const con = n < 0n ? HCONST_10 : HCONST_11;
    let m = n < 0n ? -n : n;
    do {
      this.mix(Number(m & 0xffffffffn), Number((m >> 32n) & 0xffffffffn), con);
      m >>= 64n;
    } while (m > 0n);
  }

  private float(f: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(f === 0 ? 0 : f); // -0.0 hashes as 0.0
    this.mix(b.readUInt32BE(0), b.readUInt32BE(4), HCONST_12);
  }

  /** UINT32_HASH_2: two words offset by a constant, mixed into the running hash. */
  private mix(x: number, y: number, k: number): void {
    this.hash = mix((k + x) >>> 0, (k + y) >>> 0, this.hash)[2];
  }
}

/** Jenkins' lookup2 over the bytes, 12 at a time (little-endian words), seeded with `init`. */
function blockHash(k: Buffer, init: number): number {
  let a = HCONST;
  let b = HCONST;
  let c = init;
  let i = 0;
  for (; k.length - i >= 12; i += 12) {
    a = (a + k.readUInt32LE(i)) >>> 0;
    b = (b + k.readUInt32LE(i + 4)) >>> 0;
    c = (c + k.readUInt32LE(i + 8)) >>> 0;
    [a, b, c] = mix(a, b, c);
  }
  c = (c + k.length) >>> 0;
  // the rest: bytes 0-3 into a, 4-7 into b, 8-10 into c above its lowest byte (which holds the length)
  const rest = k.subarray(i);
  for (let j = 0; j < rest.length; j++) {
    const v = rest[j]! * 2 ** (8 * (j % 4) + (j >= 8 ? 8 : 0));
    if (j < 4) a = (a + v) >>> 0;
    else if (j < 8) b = (b + v) >>> 0;
    else c = (c + v) >>> 0;
  }
  return mix(a, b, c)[2];
}

/** Bob Jenkins' mix of three 32-bit words. */
function mix(a: number, b: number, c: number): [number, number, number] {
  a = ((a - b - c) ^ (c >>> 13)) >>> 0;
  b = ((b - c - a) ^ (a << 8)) >>> 0;
  c = ((c - a - b) ^ (b >>> 13)) >>> 0;
  a = ((a - b - c) ^ (c >>> 12)) >>> 0;
  b = ((b - c - a) ^ (a << 16)) >>> 0;
  c = ((c - a - b) ^ (b >>> 5)) >>> 0;
  a = ((a - b - c) ^ (c >>> 3)) >>> 0;
  b = ((b - c - a) ^ (a << 10)) >>> 0;
  c = ((c - a - b) ^ (b >>> 15)) >>> 0;
  return [a, b, c];
}

/** An atom's hash as the VM's atom table keeps it: hashpjw over its bytes (the names used are ASCII). */
function atomHash(name: string): number {
  let h = 0;
  for (const v of Buffer.from(name, 'latin1')) {
    h = ((h << 4) + v) >>> 0;
    const g = (h & 0xf0000000) >>> 0;
    if (g !== 0) h = (h ^ (g >>> 24) ^ g) >>> 0;
  }
  return h;
}
