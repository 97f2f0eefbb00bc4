/**
 * The tagged errors of ML coordination: tournaments and prediction markets.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** The sponsor cannot pay for the first round of a tournament. */
export class BudgetExhausted extends Schema.TaggedError<BudgetExhausted>()("BudgetExhausted", {
  sponsor: Schema.String,
  needed: Schema.BigInt,
  available: Schema.BigInt
}) {
  override get message(): string {
    return `sponsor "${this.sponsor}" has ${this.available} available, the first round needs ${this.needed}`
  }
}

/** A candidate failed to train or answer (its agent crashed or timed out). */
export class CandidateFailed extends Schema.TaggedError<CandidateFailed>()("CandidateFailed", {
  candidate: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `candidate "${this.candidate}" failed: ${this.reason}`
  }
}

/** A trade or settlement on a market that is already settled. */
export class MarketSettled extends Schema.TaggedError<MarketSettled>()("MarketSettled", {
  market: Schema.String,
  outcome: Schema.Number
}) {
  override get message(): string {
    return `market "${this.market}" is settled (outcome ${this.outcome})`
  }
}

/** A sell of more shares than the trader holds. */
export class InsufficientShares extends Schema.TaggedError<InsufficientShares>()("InsufficientShares", {
  market: Schema.String,
  trader: Schema.String,
  outcome: Schema.Number,
  held: Schema.Number,
  wanted: Schema.Number
}) {
  override get message(): string {
    return `trader "${this.trader}" holds ${this.held} shares of outcome ${this.outcome} in market "${this.market}", cannot sell ${this.wanted}`
  }
}
