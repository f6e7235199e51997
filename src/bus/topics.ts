/**
 * The bus vocabulary: topic names and the body of the message on each topic.
 * A message travels as two ZeroMQ frames, its topic and its body as JSON.
 * Subscribers filter on topic prefixes, so the symbol-scoped topics end with
 * the symbol (`quote.AAPL`) and `quote.` selects every quote.
 */

/** The schema version every body carries as `v`; bump it on a breaking change. */
export const SCHEMA_VERSION = 1;

/** Topic names and the prefixes of the symbol-scoped topics. */
export const TopicName = {
  quotePrefix: 'quote.',
  sentiment: 'sentiment',
  simState: 'sim.state',
  signalPrefix: 'signal.',
  tradePrefix: 'trade.',
  portfolio: 'portfolio',
  health: 'health',
} as const;

/** Builders of the full topic of each message kind. */
export const topics = {
  quote: (symbol: string): string => `${TopicName.quotePrefix}${symbol}`,
  sentiment: (): string => TopicName.sentiment,
  simState: (): string => TopicName.simState,
  signal: (symbol: string): string => `${TopicName.signalPrefix}${symbol}`,
  trade: (symbol: string): string => `${TopicName.tradePrefix}${symbol}`,
  portfolio: (): string => TopicName.portfolio,
  health: (): string => TopicName.health,
} as const;

/** The `type` field of each message kind. */
export const MessageType = {
  quote: 'quote',
  sentiment: 'sentiment',
  simState: 'sim.state',
  signal: 'signal',
  trade: 'trade',
  portfolio: 'portfolio',
  health: 'health',
} as const;

/** One of the message kinds. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Every message type, for validation. */
export const MESSAGE_TYPES: readonly MessageType[] = Object.values(MessageType);

/**
 * The fields the publisher stamps on every body. `seq` counts messages per
 * topic from 1 in one publisher's life, so a subscriber sees a gap in it as
 * lost messages; a first `seq` above 1 only means it joined late.
 */
export type Envelope<T extends MessageType = MessageType> = {
  readonly v: typeof SCHEMA_VERSION;
  readonly type: T;
  /** When the event happened (market time for quotes), ISO-8601 UTC. */
  readonly ts: string;
  /** Position of the message on its topic, an integer >= 1. */
  readonly seq: number;
};

/** `quote.<SYM>`: a validated quote. Prices in the instrument's quote currency. */
export type QuotePayload = {
  readonly symbol: string;
  readonly price: number;
  readonly bid?: number;
  readonly ask?: number;
  /** Traded volume in units of the instrument. */
  readonly volume?: number;
  /** The provider that served it (yahoo, polygon, replay, …). */
  readonly source: string;
};

/** One fear-and-greed style reading. */
export type SentimentEntry = {
  /** 0 (extreme fear) to 100 (extreme greed). */
  readonly value: number;
  readonly label: string;
  /** `cnn`, `alternative.me` or `proxy`. */
  readonly source: string;
  /** When the index had this value (ISO-8601 UTC). */
  readonly ts: string;
};

/** `sentiment`: the latest readings per market; a market without data is absent. */
export type SentimentPayload = {
  readonly equity?: SentimentEntry;
  readonly crypto?: SentimentEntry;
  /** The mean of the markets present. */
  readonly combined?: { readonly value: number; readonly label: string };
};

/** `sim.state`: the agent simulation after one step. */
export type SimStatePayload = {
  readonly step: number;
  /** Z, the mean stance of all agents, in [-1, 1]. */
  readonly globalState: number;
  /** Z cubed. */
  readonly z3: number;
  /** The compute backend that ran the step (e.g. cpu, wasm). */
  readonly backend: string;
};

/** A trading action. */
export type SignalAction = 'BUY' | 'SELL' | 'HOLD';

/** `signal.<SYM>`: a trading signal for one symbol. */
export type SignalPayload = {
  readonly symbol: string;
  readonly action: SignalAction;
  /** 0 to 1. */
  readonly confidence: number;
  readonly source: string;
};

/** Why a paper trade happened. */
export type TradeReason = 'signal' | 'stop_loss' | 'take_profit';

/** `trade.<SYM>`: a paper trade. Amounts in USD, quantities in units. */
export type TradePayload = {
  readonly id: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  /** Realized profit or loss of a closing trade. */
  readonly pnl?: number;
  readonly reason: TradeReason;
};

/** One open position in a portfolio snapshot; later issues may add fields. */
export type PortfolioPosition = {
  readonly symbol: string;
  readonly qty: number;
  readonly [field: string]: unknown;
};

/** `portfolio`: a snapshot of the paper portfolio. Amounts in USD. */
export type PortfolioPayload = {
  readonly equity: number;
  readonly cash: number;
  readonly exposure: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly totalPnl: number;
  readonly positions: readonly PortfolioPosition[];
};

/** `health`: a service going up or down, or a circuit breaker changing state. */
export type HealthPayload = {
  readonly service: string;
  readonly up: boolean;
  readonly breaker?: { readonly from: string; readonly to: string };
  /** Two providers disagreeing on a price by more than the threshold. */
  readonly divergence?: {
    readonly symbol: string;
    readonly sources: readonly string[];
    readonly prices: readonly number[];
    readonly ratio: number;
  };
};

/** The payload (body minus envelope) of each message type. */
export type PayloadOf = {
  readonly quote: QuotePayload;
  readonly sentiment: SentimentPayload;
  readonly 'sim.state': SimStatePayload;
  readonly signal: SignalPayload;
  readonly trade: TradePayload;
  readonly portfolio: PortfolioPayload;
  readonly health: HealthPayload;
};

/** The full body of a message of type `T`, as it travels. */
export type MessageBody<T extends MessageType = MessageType> = Envelope<T> & PayloadOf[T];

/** A quote message body. */
export type QuoteMessage = MessageBody<'quote'>;
