/** The ZeroMQ bus: topics and message bodies, the codec, the publisher and a subscriber. */
export * from './topics.js';
export { encode, decode, type Frames, type DecodedMessage } from './codec.js';
export { BusErrorCode } from './error-codes.js';
export type { MessagePublisher } from './port.js';
export { ZmqPublisher, type ZmqPublisherOptions, type PublisherStats, type BusLogger } from './publisher.js';
export { subscribe, type SubscribeOptions, type SubscribeResult } from './subscriber.js';
