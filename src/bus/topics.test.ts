import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, topics } from './topics.js';

describe('topics', () => {
  it('builds the topic of each message kind, symbol last so prefixes select', () => {
    expect([
      topics.quote('AAPL'),
      topics.sentiment(),
      topics.simState(),
      topics.signal('BTC-USD'),
      topics.trade('MSFT'),
      topics.portfolio(),
      topics.health(),
    ]).toEqual(['quote.AAPL', 'sentiment', 'sim.state', 'signal.BTC-USD', 'trade.MSFT', 'portfolio', 'health']);
  });

  it('lists the seven message types of ARCHITECTURE.md', () => {
    expect(MESSAGE_TYPES).toEqual(['quote', 'sentiment', 'sim.state', 'signal', 'trade', 'portfolio', 'health']);
  });
});
