import type { MessageType, PayloadOf } from './topics.js';

/**
 * What the tick loop needs from the bus: fire-and-forget publishing that
 * never blocks and never throws for a bus failure.
 */
export interface MessagePublisher {
  /**
   * Stamps `payload` with the envelope (`v`, `type`, `ts` from `tsMs`, the
   * topic's next `seq`) and queues it for sending.
   *
   * @param tsMs when the event happened, epoch ms UTC.
   * @returns false when the message was dropped (queue full or bus closed).
   */
  publish<T extends MessageType>(topic: string, type: T, payload: PayloadOf[T], tsMs: number): boolean;
}
