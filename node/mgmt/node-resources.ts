import { readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { NodeConfig } from '../config.js';

/** What /api/nodes and /metrics report of the node's resources. Null where the system does not say. */

/** Free bytes on the file system of the data folder. */
export function diskFree(config: NodeConfig): number | null {
  try {
    const s = statfsSync(config.dataDir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** The memory high watermark in bytes. */
export const memoryLimit = (config: NodeConfig): number => Math.floor(totalmem() * config.memoryHighWatermark);

/**
 * Open file descriptors of this process: Linux 6.2 and later give their count as /proc/self/fd's size (a
 * listing of 10,000 of them costs milliseconds); earlier ones a listing, less the descriptor it takes.
 */
export function openFds(): number | null {
  try {
    const size = statSync('/proc/self/fd').size;
    return size > 0 ? size : readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

/** The process's soft limit on open file descriptors (null also when unlimited). */
export function maxFds(): number | null {
  try {
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return limit ? Number(limit[1]) : null;
  } catch {
    return null;
  }
}
