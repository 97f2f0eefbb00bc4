/**
 * Model-selection tournaments: successive halving over agents that each own one candidate
 * hyperparameter configuration of the MLP (drawn from `mlpSpace`). Every round, each surviving
 * candidate trains on the shipped spirals dataset for the round's epoch budget — paid first from
 * the sponsor's ledger account — and reports its validation accuracy; the best `1/eta` go on with
 * `eta` times the epochs, the others are stopped through the `AgentSystem`. Configurations,
 * training and ranking (ties: candidate order) are all seeded, so a seed replays exactly.
 *
 * The MLP cannot resume training, so a candidate retrains from scratch with each round's budget;
 * the budget paid is the epochs actually trained.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Random, Schema } from "effect"
import { Agent, type AgentRef, AgentSystem, type SpawnError } from "../../src/agent/index.ts"
import { AccountId, Amount, Ledger } from "../../src/economics/index.ts"
import { decodeInput, type InvalidInput } from "../../src/errors/index.ts"
import { type Hyperparameters, mlpSpace, toHyperparameters, trainAndEvaluate } from "../ml/index.ts"
import { type Assignment, sample } from "../../src/variables/index.ts"
import { BudgetExhausted, CandidateFailed } from "./errors.ts"

/** Options of a tournament. */
export const TournamentOptions = Schema.Struct({
  /** Prefix of the candidates' agent ids and of the ledger keys (default "tournament"). */
  name: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 64))),
  /** Number of candidate configurations, 2 to 64. */
  candidates: Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 64 })),
  /** Keep the best `1/eta` each round (default 3). */
  eta: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 8 }))),
  /** Epochs of the first round (default 3); round r trains `minEpochs · eta^r`, capped at `maxEpochs`. */
  minEpochs: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))),
  /** Most epochs of one training run (default 60). */
  maxEpochs: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 600 }))),
  /** Seed of the configurations and of every training run. */
  seed: Schema.String.check(Schema.isBetweenLength(1, 128)),
  /** Account that pays for training. */
  sponsor: AccountId,
  /** Account paid for training (the compute provider). */
  compute: AccountId,
  /** Price of one epoch of one candidate, in minor units (default 1). */
  pricePerEpoch: Schema.optionalKey(Amount)
})
/** Options of a tournament. */
export type TournamentOptions = typeof TournamentOptions.Type

/** One candidate's score in one round. */
export interface Score {
  readonly id: string
  readonly accuracy: number
}

/** One round: the epochs each candidate trained, the scores (best first), who went on. */
export interface Round {
  readonly round: number
  readonly epochs: number
  readonly cost: bigint
  readonly scores: ReadonlyArray<Score>
  readonly survivors: ReadonlyArray<string>
}

/** The outcome of a tournament. `exhausted` is true when a later round could not be paid for. */
export interface TournamentResult {
  readonly winner: { readonly id: string; readonly assignment: Assignment; readonly accuracy: number }
  readonly rounds: ReadonlyArray<Round>
  readonly spent: bigint
  readonly exhausted: boolean
}

/** Everything a tournament can fail with. */
export type TournamentError = BudgetExhausted | CandidateFailed | SpawnError | Ledger.UnknownAccount | Ledger.Unauthorized | InvalidInput

const Evaluate = Agent.request("Evaluate", { epochs: Schema.Int, seed: Schema.String }, Schema.Number)

/** The agent owning one configuration: trains it on request and answers its validation accuracy. */
const candidateAgent = (hp: Hyperparameters) =>
  Agent.make({
    name: "tournament-candidate",
    messages: Evaluate,
    initial: () => hp,
    handle: (own: Hyperparameters, msg, ctx) =>
      trainAndEvaluate({ ...own, epochs: msg.epochs }).pipe(
        Random.withSeed(msg.seed),
        Effect.map((result) => {
          ctx.reply(msg, result.accuracy)
          return own
        })
      )
  })

const decodeOptions = decodeInput(TournamentOptions, "Tournament.run")
// Training is real computation, not clock time: under a live clock a large run must not time out.
const ASK_TIMEOUT = Duration.hours(1)

/**
 * Runs a successive-halving tournament and returns the winner. Every candidate agent is stopped
 * when the tournament ends, however it ends. Fails with `BudgetExhausted` when the sponsor cannot
 * pay for the first round, `CandidateFailed` when a candidate crashes, `InvalidInput` on bad options.
 *
 * @example
 * ```ts
 * const result = yield* Tournament.run({ candidates: 9, seed: "s1", sponsor: "lab", compute: "gpu" })
 * result.winner.accuracy // e.g. 0.9
 * ```
 */
export const run = (input: TournamentOptions): Effect.Effect<TournamentResult, TournamentError, AgentSystem | Ledger.Ledger> =>
  Effect.gen(function*() {
    const options = yield* decodeOptions(input)
    const system = yield* AgentSystem
    const ledger = yield* Ledger.Ledger
    const name = options.name ?? "tournament"
    const eta = options.eta ?? 3
    const minEpochs = options.minEpochs ?? 3
    const maxEpochs = options.maxEpochs ?? 60
    const price = options.pricePerEpoch ?? 1n

    const assignments = yield* Effect.forEach(
      Array.from({ length: options.candidates }, (_, i) => i),
      () => sample(mlpSpace)
    ).pipe(Random.withSeed(`${options.seed}:configurations`))
    const spawned = new Map<string, AgentRef<typeof Evaluate.Type>>()
    const stopAll = Effect.suspend(() => Effect.forEach([...spawned.values()], (ref) => Effect.ignore(system.stop(ref as never)), { discard: true }))

    return yield* Effect.gen(function*() {
      const entrants: Array<{ readonly id: string; readonly index: number; readonly assignment: Assignment }> = []
      for (let i = 0; i < assignments.length; i++) {
        const assignment = assignments[i]!
        const hp = yield* Effect.orDie(toHyperparameters(assignment))
        const id = `${name}-c${i}`
        spawned.set(id, yield* system.spawn(candidateAgent(hp), { id, restart: "temporary" }))
        entrants.push({ id, index: i, assignment })
      }
      let survivors = entrants
      const rounds: Array<Round> = []
      let spent = 0n
      let exhausted = false
      let last: ReadonlyArray<Score> = []
      for (let round = 0; survivors.length > 1 || rounds.length === 0; round++) {
        const epochs = Math.min(maxEpochs, minEpochs * eta ** round)
        const cost = price * BigInt(epochs) * BigInt(survivors.length)
        const { available } = yield* ledger.balance(options.sponsor)
        if (available < cost) {
          if (round === 0) return yield* new BudgetExhausted({ sponsor: options.sponsor, needed: cost, available })
          exhausted = true
          break
        }
        for (const entrant of survivors) {
          yield* ledger.transfer({
            from: options.sponsor,
            to: options.compute,
            amount: price * BigInt(epochs)
          }).pipe(Effect.catchTags({
            // Someone else spent the sponsor's money since the balance was read.
            InsufficientFunds: (error) => Effect.fail(new BudgetExhausted({ sponsor: options.sponsor, needed: cost, available: error.available })),
            IdempotencyConflict: (error) => Effect.die(error)
          }))
        }
        spent += cost
        const scores = yield* Effect.forEach(survivors, (entrant) => {
          const ref = spawned.get(entrant.id)!
          return ref.ask(Evaluate.make({ epochs, seed: `${options.seed}:${entrant.id}` }), { timeout: ASK_TIMEOUT }).pipe(
            Effect.map((accuracy) => ({ entrant, accuracy })),
            Effect.mapError((error) => new CandidateFailed({ candidate: entrant.id, reason: error.message }))
          )
        }, { concurrency: "unbounded" })
        scores.sort((a, b) => b.accuracy - a.accuracy || a.entrant.index - b.entrant.index)
        const keep = Math.max(1, Math.floor(scores.length / eta))
        const next = scores.slice(0, keep).map((s) => s.entrant)
        for (const loser of scores.slice(keep)) {
          const ref = spawned.get(loser.entrant.id)!
          yield* Effect.ignore(system.stop(ref as never))
          spawned.delete(loser.entrant.id)
        }
        last = scores.map((s) => ({ id: s.entrant.id, accuracy: s.accuracy }))
        rounds.push({ round, epochs, cost, scores: last, survivors: next.map((e) => e.id) })
        survivors = next
      }
      const best = survivors[0]!
      const accuracy = last.find((s) => s.id === best.id)?.accuracy ?? 0
      return { winner: { id: best.id, assignment: best.assignment, accuracy }, rounds, spent, exhausted }
    }).pipe(Effect.ensuring(stopAll))
  })
