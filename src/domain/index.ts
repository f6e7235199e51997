export * from './errors.js';
export * from './symbol.js';
export * from './quote.js';
export * from './clock.js';
export * from './sentiment.js';
export * from './random.js';
export * from './simulation-params.js';
export * from './shard.js';
