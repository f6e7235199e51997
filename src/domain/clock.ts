/**
 * The time source of the tick loop. Live runs read the wall clock; replays
 * read a clock set to each replayed tick, so the same code judges a quote's
 * age and stamps its messages in both.
 */
export interface Clock {
  /** Current time, epoch ms UTC. */
  nowMs(): number;
}

/** The wall clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that shows whatever instant the replay last set. */
export class ReplayClock implements Clock {
  private current: number;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  nowMs(): number {
    return this.current;
  }

  /** Moves the clock to a replayed instant. */
  set(tsMs: number): void {
    this.current = tsMs;
  }
}
