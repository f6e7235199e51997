import type { MessagePublisher, MessageType, PayloadOf } from '../bus/index.js';
import type { Metrics } from '../telemetry/metrics.js';

/**
 * The bus as the pipeline stages see it: every message that enters the
 * publisher's queue is counted once in data_points_published_total, by
 * message type.
 */
export class CountingPublisher implements MessagePublisher {
  constructor(
    private readonly inner: MessagePublisher,
    private readonly metrics: Metrics,
  ) {}

  publish<T extends MessageType>(topic: string, type: T, payload: PayloadOf[T], tsMs: number): boolean {
    const queued = this.inner.publish(topic, type, payload, tsMs);
    if (queued) this.metrics.published(type);
    return queued;
  }
}
