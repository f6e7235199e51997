/**
 * A bus subscriber in its own process, for tests and benchmarks:
 *   node --import tsx tests/helpers/zmq-sub.ts <endpoint> [topic-prefix ...]
 * Prints {"ready":true} once subscribed, then one line per message
 * ({"topic","body"}), then {"done":true,"received","gaps","invalid"} when
 * stdin ends (the parent closes it to stop this process).
 */
import { subscribe } from '../../src/bus/index.js';

const [endpoint, ...topics] = process.argv.slice(2);
if (endpoint === undefined) {
  console.error('usage: zmq-sub.ts <endpoint> [topic-prefix ...]');
  process.exit(2);
}
const controller = new AbortController();
process.stdin.on('end', () => controller.abort()).resume();
const result = await subscribe({
  endpoint,
  topics,
  signal: controller.signal,
  onReady: () => process.stdout.write('{"ready":true}\n'),
  onMessage: ({ topic, body }) => process.stdout.write(`${JSON.stringify({ topic, body })}\n`),
});
process.stdout.write(`${JSON.stringify({ done: true, ...result })}\n`);
