import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CtlError, EXIT } from './exit.js';

/** Where the management API is and who to log in as. */
export interface Endpoint {
  /** http(s)://host:port, without credentials or path */
  readonly base: URL;
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
}

/** host:port as a person would type it (the port always shown). */
export function addressOf(base: URL): string {
  const port = base.port || (base.protocol === 'https:' ? '443' : '80');
  return `${base.hostname}:${port}`;
}

/** One path segment, percent-encoded as the API wants it (the vhost '/' is '%2F'). */
export const seg = (s: string): string => encodeURIComponent(s);

/** What a request is about, for messages: "queue 'q' in vhost '/'". */
export interface RequestOptions {
  readonly what?: string;
  readonly headers?: Record<string, string>;
}

/**
 * The management API escapes `<`, `>` and `&` in some reasons (policies', for its web UI); rabbitmqctl,
 * which asks the node directly, prints them as they are, and so does warrenctl.
 */
const unescapeHtml = (s: string): string => s.replace(/&(lt|gt|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&' })[e]!);

/** A non-2xx answer: RabbitMQ's `{ error, reason }` body, mapped to an exit code. */
export class ApiError extends CtlError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    method: string,
    path: string,
    what: string | undefined,
  ) {
    super(describe(status, error, reason, method, path, what), exitFor(status), 'block');
  }

  /** A logged-in user refused for want of a tag or permission: 401 other than a failed login (403 from older Warren nodes). */
  get refused(): boolean {
    return (this.status === 401 && this.error !== 'not_authorized') || this.status === 403;
  }
}

function describe(status: number, error: string, reason: string, method: string, path: string, what: string | undefined): string {
  if (status === 404 && what) return `${what} not found (${status} ${reason})`;
  // a failed login is 'not_authorized'; other 401s refuse a logged-in user an operation (its permissions)
  if (status === 401 && error === 'not_authorized') return `authentication failed: ${reason} (${status})`;
  const subject = what ?? `${method} ${path}`;
  return `${subject}: ${reason || error} (${status}${error && error !== reason ? ` ${error}` : ''})`;
}

function exitFor(status: number): number {
  if (status === 400) return EXIT.DATAERR;
  if (status === 401 || status === 403) return EXIT.NOPERM;
  if (status >= 500) return EXIT.SOFTWARE;
  return EXIT.ERROR;
}

export const isNotFound = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 404;

/** A thin JSON client for the RabbitMQ-compatible management API (Warren's or RabbitMQ's). */
export class MgmtClient {
  private readonly auth: string;

  constructor(private readonly endpoint: Endpoint) {
    this.auth = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`;
  }

  get address(): string {
    return addressOf(this.endpoint.base);
  }

  /** The parsed JSON answer, or null for an empty one (201/204). */
  async request(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<unknown> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Authorization: this.auth, Accept: 'application/json', ...opts.headers };
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) });
    const { status, statusText, text } = await this.send(method, new URL(path, this.endpoint.base), headers, payload);
    const ok = status >= 200 && status < 300;
    let json: unknown = null;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        if (ok) throw new CtlError(`${method} ${path}: the node at ${this.address} answered with something that is not JSON`, EXIT.SOFTWARE);
      }
    }
    if (!ok) {
      const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
      const error = typeof o['error'] === 'string' ? o['error'] : statusText;
      const reason = typeof o['reason'] === 'string' ? unescapeHtml(o['reason']) : text.trim().slice(0, 200);
      throw new ApiError(status, error, reason, method, path, opts.what);
    }
    return json;
  }

  /** One HTTP exchange with node:http (fetch refuses some ports, such as 1 and 6000). */
  private send(method: string, url: URL, headers: Record<string, string>, payload: Buffer | undefined): Promise<{ status: number; statusText: string; text: string }> {
    const timeoutMs = this.endpoint.timeoutMs;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => fail(e));
      });
      const fail = (e: Error): void => {
        clearTimeout(timer);
        reject(this.transportError(e));
      };
      const timer = setTimeout(() => {
        const e = new Error('timed out');
        e.name = 'TimeoutError';
        req.destroy(e);
      }, timeoutMs);
      req.on('error', fail);
      req.end(payload);
    });
  }

  get(path: string, opts?: RequestOptions): Promise<unknown> {
    return this.request('GET', path, undefined, opts);
  }

  put(path: string, body: unknown, opts?: RequestOptions): Promise<unknown> {
    return this.request('PUT', path, body, opts);
  }

  post(path: string, body: unknown, opts?: RequestOptions): Promise<unknown> {
    return this.request('POST', path, body, opts);
  }

  delete(path: string, opts?: RequestOptions): Promise<unknown> {
    return this.request('DELETE', path, undefined, opts);
  }

  /** GET that answers null for 404 instead of failing. */
  async find(path: string): Promise<unknown> {
    try {
      return await this.get(path);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** The request; a 404 throws `instead` (rabbitmqctl's wording and code for what is missing). */
  async orElse(instead: CtlError, method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<unknown> {
    try {
      return await this.request(method, path, body, opts);
    } catch (e) {
      throw isNotFound(e) ? instead : e;
    }
  }

  private transportError(e: unknown): CtlError {
    const err = e as Error & { code?: string };
    if (err.name === 'TimeoutError') {
      return new CtlError(`the node's management API at ${this.address} did not answer within ${this.endpoint.timeoutMs / 1000} s`, EXIT.TEMPFAIL);
    }
    const detail = err.code ?? err.message;
    return new CtlError(`unable to reach the node's management API at ${this.address} (${detail}); is the node running, with its management listener on that address?`, EXIT.UNAVAILABLE);
  }
}

/** An API list answer, or a clear error when the node answered something else. */
export function asList(v: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new CtlError(`expected a list of ${what} from the API`, EXIT.SOFTWARE);
  return v as Record<string, unknown>[];
}

export function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CtlError(`expected ${what} from the API`, EXIT.SOFTWARE);
  return v as Record<string, unknown>;
}
