/**
 * The tournament's prediction markets: questions about how the tournament ends ("does candidate A
 * finish ahead of candidate B", "which model family wins", "does the winner beat single-agent
 * random search"), each an LMSR market funded by the house through the ledger, and trader agents
 * that trade on them after every rung, each with its own way of reading the scores so far.
 *
 * @since 0.1.0
 */
import { Effect, Random, Schema } from "effect"
import { Agent } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import { Lmsr, type Market, PredictionMarket, type Settlement, type TradeError } from "../ml-coordination/index.ts"

/** What traders know about one candidate after a rung. */
export const Standing = Schema.Struct({
  id: Schema.String,
  family: Schema.String,
  /** The last rung it was scored in (from 0). */
  rung: Schema.Int,
  /** Its score in that rung. */
  accuracy: Schema.Number,
  /** Whether it goes on to the next rung. */
  alive: Schema.Boolean
})
/** What traders know about one candidate after a rung. */
export type Standing = typeof Standing.Type

/** The model families, the outcomes of the "which family wins" question. */
export const FAMILIES = ["knn", "random-forest", "logistic"] as const

/** The outcomes of "does the tournament winner beat random search at the same budget". */
export const VERSUS = ["tournament", "tie", "random-search"] as const

/** A question a market trades on. */
export type Question =
  | { readonly _tag: "Duel"; readonly id: string; readonly a: string; readonly b: string }
  | { readonly _tag: "Family"; readonly id: string }
  | { readonly _tag: "Versus"; readonly id: string }

/** The outcomes of a question, in market order. */
export const outcomesOf = (question: Question): ReadonlyArray<string> =>
  question._tag === "Duel" ? [question.a, question.b] : question._tag === "Family" ? FAMILIES : VERSUS

/** A one-line statement of a question. */
export const describeQuestion = (question: Question): string =>
  question._tag === "Duel"
    ? `does ${question.a} finish ahead of ${question.b}?`
    : question._tag === "Family"
      ? "which model family wins?"
      : "does the winner beat random search at the same budget?"

/** How the tournament ended, as the markets need it to settle. */
export interface Ending {
  /** Every candidate, first to last: later rung reached first, then higher score, then lower index. */
  readonly finish: ReadonlyArray<string>
  readonly winnerFamily: string
  readonly versus: (typeof VERSUS)[number]
}

/** The winning outcome of `question` given how the tournament ended. */
export const resolve = (question: Question, ending: Ending): string => {
  switch (question._tag) {
    case "Duel":
      return ending.finish.indexOf(question.a) < ending.finish.indexOf(question.b) ? question.a : question.b
    case "Family":
      return ending.winnerFamily
    case "Versus":
      return ending.versus
  }
}

/** How a trader reads the scores: how sharply it trusts them, and its prior on the baseline question. */
export interface TraderProfile {
  readonly name: string
  /** How much a difference in accuracy sways it (0: not at all). */
  readonly sharpness: number
  /** Its belief in "tournament", "tie", "random-search". */
  readonly versusPrior: readonly [number, number, number]
  /** A noise trader draws fresh beliefs (seeded) every session. */
  readonly noisy: boolean
}

/** The flagship's traders: a chartist trusting early scores, a skeptic discounting them, a noise trader. */
export const TRADERS: ReadonlyArray<TraderProfile> = [
  { name: "chartist", sharpness: 60, versusPrior: [0.6, 0.25, 0.15], noisy: false },
  { name: "skeptic", sharpness: 8, versusPrior: [0.2, 0.45, 0.35], noisy: false },
  { name: "noise", sharpness: 0, versusPrior: [1 / 3, 1 / 3, 1 / 3], noisy: true }
]

const CERTAIN = 0.98

const normalize = (weights: ReadonlyArray<number>): ReadonlyArray<number> => {
  const floored = weights.map((w) => Math.max(w, 0.01))
  const total = floored.reduce((sum, w) => sum + w, 0)
  return floored.map((w) => w / total)
}

/** Who of two candidates is ahead so far, if it is already settled (the other is out earlier or lower). */
const duelBelief = (profile: TraderProfile, a: Standing | undefined, b: Standing | undefined): number => {
  if (a === undefined || b === undefined) return 0.5
  if (a.alive && !b.alive) return CERTAIN
  if (b.alive && !a.alive) return 1 - CERTAIN
  if (!a.alive && !b.alive) {
    if (a.rung !== b.rung) return a.rung > b.rung ? CERTAIN : 1 - CERTAIN
    return a.accuracy >= b.accuracy ? CERTAIN : 1 - CERTAIN
  }
  return 1 / (1 + Math.exp(-profile.sharpness * (a.accuracy - b.accuracy)))
}

/**
 * A trader's beliefs (one probability per outcome) about `question` after a rung. `draw` is used
 * by noise traders only.
 */
export const beliefOf = (
  profile: TraderProfile,
  question: Question,
  standings: ReadonlyArray<Standing>,
  draw: () => number
): ReadonlyArray<number> => {
  const outcomes = outcomesOf(question)
  if (profile.noisy) return normalize(outcomes.map(() => draw() + 0.2))
  switch (question._tag) {
    case "Duel": {
      const p = duelBelief(
        profile,
        standings.find((s) => s.id === question.a),
        standings.find((s) => s.id === question.b)
      )
      return [p, 1 - p]
    }
    case "Family": {
      const alive = standings.filter((s) => s.alive)
      const best = Math.max(...alive.map((s) => s.accuracy))
      return normalize(
        FAMILIES.map((family) =>
          alive
            .filter((s) => s.family === family)
            .reduce((sum, s) => sum + Math.exp(profile.sharpness * (s.accuracy - best)), 0)
        )
      )
    }
    case "Versus":
      return normalize(profile.versusPrior)
  }
}

/** A question with its open market. */
export interface OpenMarket {
  readonly question: Question
  readonly market: Market
}

/** Liquidity `b` of every market, in shares. */
export const LIQUIDITY = 20
/** What a winning share pays, in credits. */
export const PAYOUT = 10n
/** Shares per order, and the most a trader buys of one market in one session. */
const LOT = 5
const MAX_SHARES_PER_SESSION = 20
/** A trader acts when its belief and the price differ by more than this. */
const EDGE = 0.03

/** Opens one market per question, each funded by `house` with its worst-case loss. */
export const openMarkets = (questions: ReadonlyArray<Question>, house: string) =>
  Effect.forEach(questions, (question) =>
    Effect.map(
      PredictionMarket.make({
        id: question.id,
        outcomes: [...outcomesOf(question)],
        liquidity: LIQUIDITY,
        payout: PAYOUT,
        sponsor: house
      }),
      (market): OpenMarket => ({ question, market })
    )
  )

/**
 * One trader's session on one market: sells what it holds above its belief, then buys the outcome
 * it finds most underpriced, a lot at a time, while the edge lasts and it can pay. Returns the fills.
 */
const tradeOn = (
  trader: string,
  market: Market,
  belief: ReadonlyArray<number>
): Effect.Effect<number, TradeError, Ledger.Ledger> =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    let fills = 0
    const held = yield* market.position(trader)
    for (let i = 0; i < market.outcomes.length; i++) {
      let have = held[i] ?? 0
      while (have > 0 && (yield* market.prices)[i]! - belief[i]! > EDGE) {
        const shares = Math.min(LOT, have)
        yield* market.sell({ trader, outcome: market.outcomes[i]!, shares })
        have -= shares
        fills++
      }
    }
    let bought = 0
    while (bought < MAX_SHARES_PER_SESSION) {
      const prices = yield* market.prices
      const edges = belief.map((p, i) => p - prices[i]!)
      const best = edges.indexOf(Math.max(...edges))
      if (edges[best]! <= EDGE) break
      const outcome = market.outcomes[best]!
      const cost = yield* market.quote({ outcome, shares: LOT })
      const { available } = yield* ledger.balance(trader)
      if (cost > available) break
      yield* market.buy({ trader, outcome, shares: LOT })
      bought += LOT
      fills++
    }
    return fills
  })

/** Asks a trader to trade every market once, given the standings after rung `session`. */
export const TradeSession = Agent.request(
  "TradeSession",
  { session: Schema.Int, standings: Schema.Array(Standing) },
  Schema.Int
)

/**
 * A trader agent: on every session it forms its beliefs from the standings and trades each market
 * in turn with its ledger account (its id). Noise traders draw their beliefs from `Random`, seeded
 * by the run seed, the trader and the session.
 */
export const makeTrader = (profile: TraderProfile, markets: ReadonlyArray<OpenMarket>, seed: string) =>
  Agent.make({
    name: `trader-${profile.name}`,
    messages: TradeSession,
    capabilities: ["trade"],
    initial: () => 0,
    handle: (fills: number, msg, ctx) =>
      Effect.gen(function* () {
        const draw = yield* drawsFor(`${seed}:${profile.name}:s${msg.session}`)
        let session = 0
        for (const { question, market } of markets) {
          session += yield* tradeOn(profile.name, market, beliefOf(profile, question, msg.standings, draw))
        }
        ctx.reply(msg, session)
        return fills + session
      })
  })

/** A deterministic stream of draws in [0, 1) from a seed (for the noise trader's beliefs). */
const drawsFor = (seed: string): Effect.Effect<() => number> =>
  Effect.map(
    Effect.forEach(
      Array.from({ length: 64 }, (_, i) => i),
      () => Random.next
    ).pipe(Random.withSeed(seed)),
    (draws) => {
      let next = 0
      return () => draws[next++ % draws.length]!
    }
  )

/** A market at the end: its question, last prices, the outcome, payouts and the maker's loss. */
export interface MarketReport {
  readonly id: string
  readonly question: string
  readonly outcomes: ReadonlyArray<string>
  /** Prices just before settlement: the market's probability of each outcome. */
  readonly prices: ReadonlyArray<number>
  readonly outcome: string
  readonly payouts: Settlement["payouts"]
  readonly subsidy: bigint
  /** What the market maker lost (negative: it gained). */
  readonly makerLoss: bigint
  /** The LMSR bound on that loss: `payout · b · ln n`, in credits. */
  readonly lossBound: number
}

/** Settles every market on how the tournament ended. */
export const settleMarkets = (markets: ReadonlyArray<OpenMarket>, ending: Ending) =>
  Effect.forEach(markets, ({ question, market }) =>
    Effect.gen(function* () {
      const prices = yield* market.prices
      const settlement = yield* market.settle(resolve(question, ending))
      return {
        id: market.id,
        question: describeQuestion(question),
        outcomes: market.outcomes,
        prices,
        outcome: settlement.outcome,
        payouts: settlement.payouts,
        subsidy: market.subsidy,
        makerLoss: settlement.makerLoss,
        lossBound: Number(PAYOUT) * Lmsr.maxLoss(LIQUIDITY, market.outcomes.length)
      } satisfies MarketReport
    })
  )
