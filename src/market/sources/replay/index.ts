/**
 * Replay data: recorded bars (the replay CSV format or recorded vendor
 * responses) turned into ticks for the replay feed.
 */
export { CSV_HEADER, formatReplayCsv, parseReplayCsv } from './csv.js';
export { filterSymbols } from './filter.js';
export { loadReplay, loadReplayBars } from './load.js';
export { REPLAY_SOURCE } from './merge.js';
export type { ReplayBars, ReplayData, ReplayOptions } from './types.js';
