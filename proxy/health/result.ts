/**
 * Check outcomes, named as HAProxy names them on its stats page: L4 = the TCP connection, L7 = the
 * application's answer (AMQP connection.start, HTTP status).
 */
export type CheckStatus = 'L4OK' | 'L4TOUT' | 'L4CON' | 'L7OK' | 'L7TOUT' | 'L7RSP' | 'L7STS';

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly status: CheckStatus;
  /** HTTP status code, where there was one. */
  readonly code?: number;
  readonly detail: string;
}

export interface CheckResult extends ProbeOutcome {
  readonly durationMs: number;
  /** When the check finished (epoch ms). */
  readonly at: number;
}

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly path: string;
  readonly expectStatus: readonly number[];
  /** Bytes to send first on the connection: a PROXY protocol header, when the backend expects one. */
  readonly proxyHeader: Buffer | null;
}

/** One health check attempt; never rejects (a failure is an outcome). */
export type Probe = (target: ProbeTarget) => Promise<ProbeOutcome>;
