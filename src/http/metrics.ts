import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** One thread's metrics in JSON, as another thread sends them for a scrape. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * The Prometheus metrics of one server process, or of one of its extra HTTP threads (`processWide:
 * false`: just the request and message counters, which the main thread adds to its own at a scrape).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'usms_http_requests_total',
    help: 'API requests by dialect, action and RetCode',
    labelNames: ['dialect', 'action', 'retcode'] as const,
    registers: [this.registry],
  });
  readonly accepted = new Counter({ name: 'usms_messages_accepted_total', help: 'Messages accepted and stored', registers: [this.registry] });
  readonly rejected = new Counter({ name: 'usms_messages_rejected_total', help: 'Targets refused at validation', registers: [this.registry] });
  readonly deliveries = new Counter({
    name: 'usms_deliveries_total',
    help: 'Submit outcomes and receipts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** How the kernel spread connections over the HTTP threads (http/http-threads.ts); thread 0 is the main. */
  readonly connections = new Counter({
    name: 'usms_http_connections_total',
    help: 'TCP connections accepted, by HTTP thread',
    labelNames: ['thread'] as const,
    registers: [this.registry],
  });

  constructor(queueDepth: (() => Promise<number>) | undefined, opts = { processWide: true }) {
    if (!opts.processWide) return;
    collectDefaultMetrics({ register: this.registry, prefix: 'usms_' });
    const gauge = new Gauge({ name: 'usms_queue_depth', help: 'Messages queued or being submitted', registers: [this.registry] });
    // Read at scrape time only: no cost on the request path.
    if (queueDepth) (gauge as unknown as { collect: () => Promise<void> }).collect = async () => gauge.set(await queueDepth());
  }

  /** The scrape: this registry's metrics, plus the counters of `others` (other HTTP threads' JSON) added in. */
  async text(others: MetricsJson[] = []): Promise<string> {
    if (others.length === 0) return this.registry.metrics();
    // Only this registry has the process-wide metrics, so each is "aggregated" over itself alone: 'first'
    // instead of 'omit' (prom-client's choice for a cluster, where every worker reports its own start time).
    const own = ((await this.registry.getMetricsAsJSON()) as MetricsJson).map((m) => (m.aggregator === 'omit' ? { ...m, aggregator: 'first' as const } : m));
    return AggregatorRegistry.aggregate([own, ...others]).metrics();
  }
}
