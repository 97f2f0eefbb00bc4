/**
 * Hyperband: several successive-halving tournaments ("brackets") that trade the number of
 * candidates against the resource each starts with (epochs, for the default MLP task) — from many
 * candidates on little to a few candidates on the full resource — so a good configuration is found
 * whether it shows early or late. Each bracket is a `Tournament.run` of the same task with its own
 * seed and agent ids, paid from the ledger.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import type { AgentSystem } from "../../src/agent/index.ts"
import { AccountId, Amount, type Ledger } from "../../src/economics/index.ts"
import { decodeInput } from "../../src/errors/index.ts"
import type { InvalidAssignment } from "../../src/variables/index.ts"
import { run as runTournament, type Task, type TournamentError, type TournamentResult } from "./Tournament.ts"

/** Options of a Hyperband search. */
export const HyperbandOptions = Schema.Struct({
  /** Prefix of the brackets' agent ids (default "hyperband"). */
  name: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 48))),
  /** Resource of a candidate that reaches the end of a bracket (epochs for the MLP), 3 to 1,000,000. */
  maxResource: Schema.Int.check(Schema.isBetween({ minimum: 3, maximum: 1_000_000 })),
  /** Keep `1/eta` per round (default 3). */
  eta: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 8 }))),
  seed: Schema.String.check(Schema.isBetweenLength(1, 100)),
  sponsor: AccountId,
  compute: AccountId,
  /** Price of one budget unit, in minor units (default 1). */
  pricePerUnit: Schema.optionalKey(Amount)
})
/** Options of a Hyperband search. */
export type HyperbandOptions = typeof HyperbandOptions.Type

/** One bracket: its shape and its tournament's result. */
export interface Bracket {
  readonly bracket: number
  readonly candidates: number
  readonly minResource: number
  readonly result: TournamentResult
}

/** The brackets run (most exploratory first) and the best winner among them. */
export interface HyperbandResult {
  readonly brackets: ReadonlyArray<Bracket>
  readonly best: Bracket
  readonly spent: bigint
}

const decodeOptions = decodeInput(HyperbandOptions, "Hyperband.run")

/** The brackets' shapes: `s` from `sMax` down to 0, `n = ceil((sMax+1)/(s+1) · eta^s)` (2 to 64), `r = maxResource / eta^s`. */
export const brackets = (
  maxResource: number,
  eta: number
): ReadonlyArray<{ readonly bracket: number; readonly candidates: number; readonly minResource: number }> => {
  let sMax = 0
  while (eta ** (sMax + 1) <= maxResource) sMax++
  const out = []
  for (let s = sMax; s >= 0; s--) {
    const candidates = Math.min(64, Math.max(2, Math.ceil(((sMax + 1) / (s + 1)) * eta ** s)))
    out.push({ bracket: s, candidates, minResource: Math.max(1, Math.floor(maxResource / eta ** s)) })
  }
  return out
}

/**
 * Runs every bracket in turn on `task` (default: the MLP, `Tournament.mlpTask`) and returns the
 * best winner (highest score; ties: the earlier bracket). A bracket whose first round the sponsor cannot pay ends the search with the
 * brackets done so far; with none done it fails with `BudgetExhausted`.
 *
 * @example
 * ```ts
 * const { best } = yield* Hyperband.run({ maxResource: 27, seed: "s", sponsor: "lab", compute: "gpu" })
 * ```
 */
export const run = <E = InvalidAssignment, R = never>(
  input: HyperbandOptions,
  task?: Task<E, R>
): Effect.Effect<HyperbandResult, TournamentError, AgentSystem | Ledger.Ledger | R> =>
  Effect.gen(function* () {
    const options = yield* decodeOptions(input)
    const eta = options.eta ?? 3
    const name = options.name ?? "hyperband"
    const done: Array<Bracket> = []
    for (const shape of brackets(options.maxResource, eta)) {
      const outcome = yield* Effect.result(
        runTournament(
          {
            name: `${name}-b${shape.bracket}`,
            candidates: shape.candidates,
            eta,
            minResource: shape.minResource,
            maxResource: options.maxResource,
            seed: `${options.seed}:b${shape.bracket}`,
            sponsor: options.sponsor,
            compute: options.compute,
            ...(options.pricePerUnit === undefined ? {} : { pricePerUnit: options.pricePerUnit })
          },
          task === undefined ? {} : { task }
        )
      )
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
