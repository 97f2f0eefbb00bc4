/**
 * Hyperband: several successive-halving tournaments ("brackets") that trade the number of
 * candidates against the epochs each starts with — from many candidates on few epochs to a few
 * candidates on the full budget — so a good configuration is found whether it shows early or
 * late. Each bracket is a `Tournament.run` with its own seed and agent ids, paid from the ledger.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import type { AgentSystem } from "../../src/agent/index.ts"
import { AccountId, Amount, type Ledger } from "../../src/economics/index.ts"
import { decodeInput } from "../../src/errors/index.ts"
import { run as runTournament, type TournamentError, type TournamentResult } from "./Tournament.ts"

/** Options of a Hyperband search. */
export const HyperbandOptions = Schema.Struct({
  /** Prefix of the brackets' agent ids (default "hyperband"). */
  name: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 48))),
  /** Epochs of a candidate that reaches the end of a bracket, 3 to 60 (the MLP space's range). */
  maxEpochs: Schema.Int.check(Schema.isBetween({ minimum: 3, maximum: 60 })),
  /** Keep `1/eta` per round (default 3). */
  eta: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 8 }))),
  seed: Schema.String.check(Schema.isBetweenLength(1, 100)),
  sponsor: AccountId,
  compute: AccountId,
  pricePerEpoch: Schema.optionalKey(Amount)
})
/** Options of a Hyperband search. */
export type HyperbandOptions = typeof HyperbandOptions.Type

/** One bracket: its shape and its tournament's result. */
export interface Bracket {
  readonly bracket: number
  readonly candidates: number
  readonly minEpochs: number
  readonly result: TournamentResult
}

/** The brackets run (most exploratory first) and the best winner among them. */
export interface HyperbandResult {
  readonly brackets: ReadonlyArray<Bracket>
  readonly best: Bracket
  readonly spent: bigint
}

const decodeOptions = decodeInput(HyperbandOptions, "Hyperband.run")

/** The brackets' shapes: `s` from `sMax` down to 0, `n = ceil((sMax+1)/(s+1) · eta^s)` (2 to 64), `r = maxEpochs / eta^s`. */
export const brackets = (maxEpochs: number, eta: number): ReadonlyArray<{ readonly bracket: number; readonly candidates: number; readonly minEpochs: number }> => {
  let sMax = 0
  while (eta ** (sMax + 1) <= maxEpochs) sMax++
  const out = []
  for (let s = sMax; s >= 0; s--) {
    const candidates = Math.min(64, Math.max(2, Math.ceil(((sMax + 1) / (s + 1)) * eta ** s)))
    out.push({ bracket: s, candidates, minEpochs: Math.max(1, Math.floor(maxEpochs / eta ** s)) })
  }
  return out
}

/**
 * Runs every bracket in turn and returns the best winner (highest validation accuracy; ties: the
 * earlier bracket). A bracket whose first round the sponsor cannot pay ends the search with the
 * brackets done so far; with none done it fails with `BudgetExhausted`.
 *
 * @example
 * ```ts
 * const { best } = yield* Hyperband.run({ maxEpochs: 27, seed: "s", sponsor: "lab", compute: "gpu" })
 * ```
 */
export const run = (input: HyperbandOptions): Effect.Effect<HyperbandResult, TournamentError, AgentSystem | Ledger.Ledger> =>
  Effect.gen(function*() {
    const options = yield* decodeOptions(input)
    const eta = options.eta ?? 3
    const name = options.name ?? "hyperband"
    const done: Array<Bracket> = []
    for (const shape of brackets(options.maxEpochs, eta)) {
      const outcome = yield* Effect.result(runTournament({
        name: `${name}-b${shape.bracket}`,
        candidates: shape.candidates,
        eta,
        minEpochs: shape.minEpochs,
        maxEpochs: options.maxEpochs,
        seed: `${options.seed}:b${shape.bracket}`,
        sponsor: options.sponsor,
        compute: options.compute,
        ...(options.pricePerEpoch === undefined ? {} : { pricePerEpoch: options.pricePerEpoch })
      }))
      if (outcome._tag === "Failure") {
        if (outcome.failure._tag === "BudgetExhausted" && done.length > 0) break
        return yield* Effect.fail(outcome.failure)
      }
      done.push({ ...shape, result: outcome.success })
    }
    let best = done[0]!
    for (const bracket of done) if (bracket.result.winner.accuracy > best.result.winner.accuracy) best = bracket
    return { brackets: done, best, spent: done.reduce((sum, b) => sum + b.result.spent, 0n) }
  })
