import { basename } from 'node:path';
import type { Tick, TickFeed } from './port.js';
import { filterSymbols, loadReplay, type ReplayData } from './sources/replay/index.js';

/** Options of a replay feed. */
export type ReplayFeedOptions = {
  readonly path: string;
  /** Symbols to keep; empty = every symbol in the data. */
  readonly symbols: readonly string[];
  /** Called with each tick's instant before it is handed out (the replay clock). */
  readonly onTick?: (tsMs: number) => void;
};

/**
 * Recorded bars replayed one timestamp per tick. The data is read and
 * validated at start, so a malformed file stops the run before anything
 * is published.
 */
export class ReplayFeed implements TickFeed {
  readonly kind = 'replay';
  private data: ReplayData | undefined;
  private position = 0;

  constructor(private readonly options: ReplayFeedOptions) {}

  get description(): string {
    if (!this.data) return `replay ${basename(this.options.path)}`;
    const files = this.data.files.map((f) => basename(f)).join(', ');
    return `replay of ${this.data.ticks.length} ticks, ${this.data.symbols.join(', ')} from ${files}`;
  }

  /** Symbols the replay will publish (known after start). */
  get symbols(): readonly string[] {
    return this.data?.symbols ?? [];
  }

  async start(): Promise<void> {
    const all = await loadReplay(this.options.path, { symbolHint: this.options.symbols });
    this.data = this.options.symbols.length > 0 ? filterSymbols(all, this.options.symbols) : all;
  }

  async next(): Promise<Tick | undefined> {
    const tick = this.data?.ticks[this.position];
    if (tick === undefined) return undefined;
    this.position += 1;
    this.options.onTick?.(tick.tsMs);
    return tick;
  }

  async close(): Promise<void> {
    this.data = undefined;
  }
}
