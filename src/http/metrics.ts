import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics of one server process. */
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
  readonly queueDepth = new Gauge({
    name: 'usms_queue_depth',
    help: 'Messages queued or being submitted',
    registers: [this.registry],
  });

  constructor(queueDepth: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'usms_' });
    const gauge = this.queueDepth;
    // Read at scrape time only: no cost on the request path.
    (gauge as unknown as { collect: () => Promise<void> }).collect = async () => gauge.set(await queueDepth());
  }
}
