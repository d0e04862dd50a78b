/**
 * An append-only log split into segment files of checksummed records: [u32 length][u32 crc32][payload].
 *
 * What a crash leaves behind: appends are written to the OS with one writev per event-loop turn and made
 * durable with fdatasync (group commit: one sync serves every record appended before it; `whenDurable`
 * callbacks run after the sync that covers them). A kill -9 can leave a torn record at the tail of the
 * last segment (short length, short payload or a bad checksum); replay stops at the first bad record of a
 * segment, logs it, and truncates the segment there, so everything before it is recovered and nothing
 * after a hole is trusted. Segments are deleted by the owner (the message store) once nothing in them is
 * needed; a deleted segment never comes back.
 */
import { closeSync, fdatasync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';

export interface RecordRef {
  readonly segment: number;
  /** Offset of the payload (after the 8-byte record header) within the segment file. */
  readonly offset: number;
  readonly length: number;
}

const HEADER = 8;
const segmentName = (id: number): string => `${String(id).padStart(8, '0')}.seg`;

interface Segment {
  readonly id: number;
  readonly fd: number;
  /** Bytes written to the file. */
  written: number;
  /** Bytes appended (written + pending). */
  size: number;
  pending: Buffer[];
}

export class SegmentLog {
  private readonly segments = new Map<number, Segment>();
  private current!: Segment;
  private waiters: (() => void)[] = [];
  private syncing = false;
  /** Descriptors of deleted segments, closed once the sync in flight (which may use them) ends. */
  private closeAfterSync: number[] = [];
  private closed = false;
  private flushQueued = false;
  private readonly dirty = new Set<Segment>();

  constructor(
    readonly dir: string,
    readonly segmentSize: number,
    private readonly log: Logger,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Segment ids present, oldest first. */
  get segmentIds(): number[] {
    return [...this.segments.keys()].sort((a, b) => a - b);
  }

  /**
   * Opens every segment and replays its good records in order, then starts a fresh segment for appends.
   * `payload` views a read buffer shared by all segments: it is only valid during the call.
   */
  replay(onRecord: (payload: Buffer, segment: number, offset: number) => void): void {
    const ids = readdirSync(this.dir)
      .filter((f) => /^\d{8}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 8)))
      .sort((a, b) => a - b);
    // one buffer for all segments: a fresh 64 MB buffer per segment cost 10x the read itself in page faults
    let data = Buffer.alloc(0);
    for (const id of ids) {
      const fd = openSync(join(this.dir, segmentName(id)), 'r+');
      const size = fstatSync(fd).size;
      if (data.length < size) data = Buffer.allocUnsafeSlow(size);
      let got = 0;
      while (got < size) got += readSync(fd, data, got, size - got, got);
      const good = this.replaySegment(id, data, size, onRecord);
      if (good < size) {
        this.log.warn({ segment: segmentName(id), validBytes: good, fileBytes: size }, 'torn or corrupt record at segment tail: truncated, everything before it recovered');
        ftruncateSync(fd, good);
      }
      this.segments.set(id, { id, fd, written: good, size: good, pending: [] });
    }
    this.current = this.openSegment((ids.at(-1) ?? 0) + 1);
  }

  private replaySegment(id: number, data: Buffer, size: number, onRecord: (payload: Buffer, segment: number, offset: number) => void): number {
    let off = 0;
    while (off + HEADER <= size) {
      const len = data.readUInt32BE(off);
      const sum = data.readUInt32BE(off + 4);
      // every record has at least a type byte: a zero length is a zero-filled (torn) tail, not a record
      if (len === 0 || off + HEADER + len > size) break;
      const payload = data.subarray(off + HEADER, off + HEADER + len);
      if (crc32(payload) !== sum) break;
      onRecord(payload, id, off + HEADER);
      off += HEADER + len;
    }
    return off;
  }

  private openSegment(id: number): Segment {
    const fd = openSync(join(this.dir, segmentName(id)), 'a+');
    const s: Segment = { id, fd, written: 0, size: 0, pending: [] };
    this.segments.set(id, s);
    return s;
  }

  /** Appends a record (written this turn, durable after the next sync); returns where it will be. */
  append(parts: readonly Buffer[]): RecordRef {
    let len = 0;
    for (const p of parts) len += p.length;
    if (this.current.size > 0 && this.current.size + HEADER + len > this.segmentSize) this.current = this.openSegment(this.current.id + 1);
    const s = this.current;
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32BE(len, 0);
    let sum = 0;
    for (const p of parts) sum = crc32(p, sum);
    header.writeUInt32BE(sum, 4);
    s.pending.push(header, ...parts);
    const ref = { segment: s.id, offset: s.size + HEADER, length: len };
    s.size += HEADER + len;
    this.dirty.add(s);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return ref;
  }

  /** Runs `cb` once everything appended so far is on disk. */
  whenDurable(cb: () => void): void {
    if (this.dirty.size === 0 && !this.syncing && !this.flushQueued) return cb();
    this.waiters.push(cb);
  }

  /** Writes pending appends to their files (one writev per segment). */
  private writePending(): void {
    for (const s of this.dirty) {
      if (s.pending.length === 0) continue;
      const bufs = s.pending;
      s.pending = [];
      let off = 0;
      while (off < bufs.length) {
        const batch = bufs.slice(off, off + 1024);
        writevSync(s.fd, batch);
        for (const b of batch) s.written += b.length;
        off += batch.length;
      }
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.syncing) return; // the sync in flight re-checks when it ends
    const touched = [...this.dirty];
    this.writePending();
    this.dirty.clear();
    const waiters = this.waiters;
    this.waiters = [];
    if (touched.length === 0) return waiters.forEach((cb) => cb());
    this.syncing = true;
    let left = touched.length;
    for (const s of touched) {
      fdatasync(s.fd, (err) => {
        if (err && !this.closed) {
          // Nothing written since the last good sync can be called durable; confirming it would be a lie.
          // Stop, as databases do on fsync failure: publishers see the connection drop and republish.
          this.log.fatal({ err, segment: s.id }, 'fdatasync failed: stopping so that no unsynced message is confirmed');
          process.exit(70);
        }
        if (--left > 0) return;
        this.syncing = false;
        for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
        for (const cb of waiters) cb();
        if (this.dirty.size > 0 || this.waiters.length > 0) this.flush();
      });
    }
  }

  /** Reads a record's payload back (lazy and recovered messages). */
  read(ref: RecordRef): Buffer {
    const s = this.segments.get(ref.segment);
    if (!s) throw new Error(`segment ${ref.segment} was deleted while still referenced`);
    if (ref.offset + ref.length > s.written) this.writePending();
    const out = Buffer.allocUnsafe(ref.length);
    let got = 0;
    while (got < ref.length) got += readSync(s.fd, out, got, ref.length - got, ref.offset + got);
    return out;
  }

  /** Deletes a segment file that holds nothing needed any more (never the one being appended to). */
  deleteSegment(id: number): boolean {
    const s = this.segments.get(id);
    if (!s || s === this.current) return false;
    if (s.pending.length > 0) this.writePending();
    // a sync in flight may still be using the descriptor: unlink now, close when it ends
    if (this.syncing) this.closeAfterSync.push(s.fd);
    else closeSync(s.fd);
    unlinkSync(join(this.dir, segmentName(id)));
    this.segments.delete(id);
    this.dirty.delete(s);
    return true;
  }

  get currentSegment(): number {
    return this.current.id;
  }

  /** Flushes synchronously and closes every file (shutdown). */
  close(): void {
    // a sync still in flight fails with EBADF once its descriptor is closed; that is expected now
    this.closed = true;
    this.writePending();
    for (const s of this.segments.values()) closeSync(s.fd);
    for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
    this.segments.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const cb of waiters) cb();
  }
}
