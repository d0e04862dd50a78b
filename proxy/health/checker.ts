import type { Backend } from '../backend.js';
import type { CheckConfig } from '../config.js';
import { localProxyHeader } from '../../shared/proxy-protocol/encode.js';
import { amqpProbe } from './amqp.js';
import { httpProbe } from './http.js';
import type { CheckResult, Probe } from './result.js';
import { tcpProbe } from './tcp.js';

const PROBES: Record<Exclude<CheckConfig['type'], 'none'>, Probe> = { tcp: tcpProbe, amqp: amqpProbe, http: httpProbe };

export type TransitionListener = (backend: Backend, up: boolean, result: CheckResult) => void;

/**
 * Runs one backend's checks every `inter` ms (measured start to start, so a slow check does not stretch
 * the period beyond its timeout) and applies HAProxy's health counter: it ranges over
 * 0 .. rise+fall-1 and the backend is up while it is >= rise. When up, the counter sits at the top, so
 * `fall` consecutive failures take it down; when down it sits at 0 and `rise` successes take it up.
 * A backend starts up with the counter at `rise`, as HAProxy does: the first failed check marks it down,
 * the first success confirms it.
 */
export class HealthChecker {
  private health: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly probe: Probe;

  constructor(
    readonly backend: Backend,
    private config: CheckConfig,
    private readonly onTransition: TransitionListener,
  ) {
    this.probe = PROBES[config.type as keyof typeof PROBES];
    this.health = backend.up ? config.rise : 0;
    this.progress();
  }

  start(): void {
    // Spread the first checks a little so a pool's checks do not all fire in the same tick.
    this.schedule(Math.floor(Math.random() * Math.min(this.config.inter, 100)));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Takes new timings (a reload); the counter keeps its place, clamped to the new range. */
  update(config: CheckConfig): void {
    const wasUp = this.backend.up;
    this.config = config;
    this.health = wasUp ? config.rise + config.fall - 1 : 0;
    this.progress();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), delay);
  }

  private async run(): Promise<void> {
    const started = Date.now();
    const c = this.config;
    // another port is another service: only the backend's own port gets the pool's PROXY header
    const proxyHeader = c.port === 0 || c.port === this.backend.config.port ? localProxyHeader(c.sendProxy) : null;
    const outcome = await this.probe({ host: this.backend.config.host, port: c.port || this.backend.config.port, timeout: c.timeout, path: c.path, expectStatus: c.expectStatus, proxyHeader });
    if (this.stopped) return;
    const now = Date.now();
    const result: CheckResult = { ...outcome, durationMs: now - started, at: now };
    this.backend.lastCheck = result;
    this.record(result);
    this.schedule(Math.max(0, started + this.config.inter - Date.now()));
  }

  private record(result: CheckResult): void {
    const { rise, fall } = this.config;
    const top = rise + fall - 1;
    const b = this.backend;
    if (result.ok) {
      if (this.health < top) {
        this.health++;
        if (this.health >= rise) this.health = top;
      }
    } else {
      b.checkFailures++;
      if (this.health > rise) this.health--;
      else this.health = 0;
    }
    const up = this.health >= rise;
    this.progress();
    if (up !== b.up) {
      b.setHealth(up);
      this.onTransition(b, up, result);
    }
  }

  private progress(): void {
    const { rise, fall } = this.config;
    const top = rise + fall - 1;
    if (this.health >= rise) this.backend.checkProgress = this.health === top ? '' : `going down ${top - this.health}/${fall}`;
    else this.backend.checkProgress = this.health === 0 ? '' : `going up ${this.health}/${rise}`;
  }
}
