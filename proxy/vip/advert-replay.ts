/**
 * Where an advert stands in its sender's sequence: `boot` is random per advert transport (so per proxy
 * run), `seq` counts that run's adverts. Both travel inside the HMAC'd body, so a replayed datagram carries
 * its original stamp and cannot be renumbered.
 */
export interface AdvertStamp {
  readonly boot: string;
  readonly seq: number;
}

/** Earlier runs of one peer remembered as over: an advert from one of them is a replay. */
const RETIRED_BOOTS = 16;
/** Senders tracked at most (without an auth key anyone can invent ids; the oldest is forgotten first). */
const MAX_SENDERS = 256;

interface SenderState {
  boot: string;
  seq: number;
  readonly retired: string[];
}

/**
 * Drops adverts that are not newer than what their sender already said: a replay, or a datagram the
 * network reordered. Within one run of a sender its seq must grow; a new run (boot) is taken as the peer
 * having restarted, and the run it replaces can never speak again. What stays possible: after this proxy
 * restarts it knows no runs, so a captured advert of each earlier run of a peer can be injected once,
 * until the peer's next advert retires it.
 */
export class ReplayGuard {
  private readonly senders = new Map<string, SenderState>();

  /** True when the advert is the newest seen from `id`; it then becomes the one to beat. */
  accept(id: string, { boot, seq }: AdvertStamp): boolean {
    const s = this.senders.get(id);
    if (!s) {
      if (this.senders.size >= MAX_SENDERS) this.senders.delete(this.senders.keys().next().value as string);
      this.senders.set(id, { boot, seq, retired: [] });
      return true;
    }
    if (boot === s.boot) {
      if (seq <= s.seq) return false;
      s.seq = seq;
      return true;
    }
    if (s.retired.includes(boot)) return false;
    s.retired.push(s.boot);
    if (s.retired.length > RETIRED_BOOTS) s.retired.shift();
    s.boot = boot;
    s.seq = seq;
    return true;
  }
}
