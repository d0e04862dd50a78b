import type { ClientTotals } from './client-totals.js';
import type { MgmtContext } from './context.js';

/** Prometheus' metric types; rabbitmq_prometheus gives its info metrics and alarms no type (untyped). */
export type MetricType = 'counter' | 'gauge' | 'untyped';

/** One metric of a family: its name (without the endpoint's prefix), type, help, and how Warren reads it. */
export interface Metric<T> {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** null: not known for this object, so no series for it. */
  readonly value: (o: T) => number | null;
  /** Left out of the aggregate (a sum of it means nothing), as rabbitmq_prometheus leaves it. */
  readonly perObjectOnly?: boolean;
}

export const counter = <T>(name: string, help: string, value: (o: T) => number | null): Metric<T> => ({ name, type: 'counter', help, value });
export const gauge = <T>(name: string, help: string, value: (o: T) => number | null): Metric<T> => ({ name, type: 'gauge', help, value });
export const untyped = <T>(name: string, help: string, value: (o: T) => number | null): Metric<T> => ({ name, type: 'untyped', help, value });

export type Labels = Readonly<Record<string, string>>;
/** Only these vhosts' queues (/metrics/detailed?vhost=), or all of them when null. */
export type VhostFilter = ReadonlySet<string> | null;

/** A metric's samples, labels already in exposition form. */
export interface Series {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: readonly (readonly [labels: string, value: number])[];
}

/** What the families of one scrape read: the node's context, and the sums over its clients taken once for the scrape. */
export interface Scrape extends MgmtContext {
  readonly totals: ClientTotals;
}

/** A group of metrics read from the same objects, named as rabbitmq_prometheus names it (the `family` of /metrics/detailed). */
export interface Family {
  readonly name: string;
  series(ctx: Scrape, perObject: boolean, vhosts: VhostFilter): Series[];
}

export interface FamilySpec<T> {
  readonly metrics: readonly Metric<T>[];
  /** One row per object, labelled as rabbitmq_prometheus labels it (a single unlabelled one for the node). */
  rows(ctx: Scrape, vhosts: VhostFilter): Iterable<readonly [Labels, T]>;
  /**
   * The aggregated row, where summing the live objects' rows would let counters go down when objects
   * close (it adds what closed ones had counted). Without it, the aggregate is the rows' sum.
   */
  total?(ctx: Scrape): T;
}

/** The rows of a family about the node as a whole: one, unlabelled. */
export const nodeRow = (ctx: Scrape): (readonly [Labels, Scrape])[] => [[{}, ctx]];

export function family<T>(name: string, spec: FamilySpec<T>): Family {
  return {
    name,
    series(ctx, perObject, vhosts) {
      const summed = !perObject && !spec.total;
      // summed rows lose their labels: they are not written out for them
      const rows: (readonly [string, T])[] =
        !perObject && spec.total ? [['', spec.total(ctx)]] : [...spec.rows(ctx, vhosts)].map(([labels, o]) => [summed ? '' : labelText(labels), o] as const);
      return spec.metrics.map((m) => ({ name: m.name, type: m.type, help: m.help, samples: summed ? (m.perObjectOnly ? [] : sum(rows, m)) : each(rows, m) }));
    },
  };
}

function each<T>(rows: readonly (readonly [string, T])[], m: Metric<T>): [string, number][] {
  const out: [string, number][] = [];
  for (const [labels, o] of rows) {
    const v = m.value(o);
    if (v !== null) out.push([labels, v]);
  }
  return out;
}

/** The rows' values added up: 0 without rows, as rabbitmq_prometheus sums none; nothing when none is known. */
function sum<T>(rows: readonly (readonly [string, T])[], m: Metric<T>): [string, number][] {
  const known = each(rows, m);
  if (known.length === 0 && rows.length > 0) return [];
  return [['', known.reduce((n, [, v]) => n + v, 0)]];
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels);
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}
