/**
 * A resource owner the worker starts in order and closes in reverse.
 * `start` resolves to a short human description of what it started and
 * where it listens, for the start-up line.
 */
export interface Component {
  readonly name: string;
  start(): Promise<string>;
  close(): Promise<void>;
}
