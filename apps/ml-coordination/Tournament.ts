/**
 * Model-selection tournaments: successive halving over agents that each own one candidate
 * configuration of a task (by default the MLP on the shipped spirals data, drawn from
 * `mlpSpace`). Every round, each surviving candidate is scored with the round's resource (epochs
 * for the MLP) — paid first from the sponsor's ledger account — and the best `1/eta` go on with
 * `eta` times the resource, the others are stopped through the `AgentSystem`. Configurations,
 * training and ranking (ties: candidate order) are all seeded, so a seed replays exactly.
 *
 * The task is pluggable (`Task`): the flagship runs the same tournament over its own tasks (the MLP
 * with each configuration's own epochs scaled per round, mljs models on iris trained on a share
 * of the rows). A candidate cannot resume training, so it retrains from scratch with each round's
 * resource; the budget paid is what was actually trained.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Random, Schema } from "effect"
import { Agent, type AgentRef, AgentSystem, type SpawnError } from "../../src/agent/index.ts"
import { AccountId, Amount, Ledger } from "../../src/economics/index.ts"
import { decodeInput, InvalidInput } from "../../src/errors/index.ts"
import type { Supervisor } from "../../src/supervision/index.ts"
import { mlpSpace, toHyperparameters, trainAndEvaluate } from "../ml/index.ts"
import { type Assignment, type InvalidAssignment, sample, type Space } from "../../src/variables/index.ts"
import { BudgetExhausted, CandidateFailed } from "./errors.ts"

/**
 * What a tournament tunes: the space its candidates are drawn from, and how a candidate is scored
 * with a given resource (higher is better). `evaluate` runs under `Random.withSeed` of the
 * candidate's seed, so it must take its randomness from `Random` to replay.
 */
export interface Task<E = never, R = never> {
  readonly space: Space
  readonly evaluate: (assignment: Assignment, resource: number) => Effect.Effect<number, E, R>
  /** Budget units one evaluation with `resource` costs, a positive integer (default: `resource`). */
  readonly cost?: (assignment: Assignment, resource: number) => number
}

/**
 * The default task: the MLP of `mlpSpace` on the shipped spirals data, the resource being the
 * epochs trained (the configuration's own `epochs` is overridden), scored by validation accuracy.
 */
export const mlpTask: Task<InvalidAssignment> = {
  space: mlpSpace,
  evaluate: (assignment, epochs) =>
    Effect.flatMap(toHyperparameters(assignment), (hp) =>
      Effect.map(trainAndEvaluate({ ...hp, epochs }), (result) => result.accuracy)
    )
}

/** Options of a tournament. */
export const TournamentOptions = Schema.Struct({
  /** Prefix of the candidates' agent ids, `<name>-1`, `<name>-2`, … (default "tournament"). */
  name: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 64))),
  /** Number of candidate configurations, 2 to 64. */
  candidates: Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 64 })),
  /** Keep the best `1/eta` each round (default 3). */
  eta: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 8 }))),
  /** Resource of the first round (default 3); round r gets `minResource · eta^r`, capped at `maxResource`. */
  minResource: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))),
  /** Most resource of one evaluation (default 60). */
  maxResource: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))),
  /** Seed of the configurations and of every evaluation. */
  seed: Schema.String.check(Schema.isBetweenLength(1, 128)),
  /** Account that pays for training. */
  sponsor: AccountId,
  /** Account paid for training (the compute provider). */
  compute: AccountId,
  /** Price of one budget unit (by default one epoch of one candidate), in minor units (default 1). */
  pricePerUnit: Schema.optionalKey(Amount)
})
/** Options of a tournament. */
export type TournamentOptions = typeof TournamentOptions.Type

/** What a tournament runs besides its options: the task, given candidates, where they live, a hook. */
export interface TournamentSetup<E = never, R = never> {
  /** The task (default `mlpTask`). */
  readonly task?: Task<E, R>
  /** The candidates' configurations (instead of drawing `candidates` from the task's space); as many as `candidates`. */
  readonly assignments?: ReadonlyArray<Assignment>
  /** The supervisor the candidate agents are spawned under (default: their definition's group). */
  readonly supervisor?: Supervisor.Supervisor
  /** Called after each round (e.g. to trade on the standings, or to report progress). */
  readonly onRound?: (round: Round) => Effect.Effect<void, never, R>
}

/** One candidate's score in one round. */
export interface Score {
  readonly id: string
  readonly accuracy: number
}

/** One round: the resource each candidate got, what it cost, the scores (best first), who went on. */
export interface Round {
  readonly round: number
  readonly resource: number
  readonly cost: bigint
  readonly scores: ReadonlyArray<Score>
  readonly survivors: ReadonlyArray<string>
}

/** The outcome of a tournament. `exhausted` is true when a later round could not be paid for. */
export interface TournamentResult {
  readonly winner: {
    readonly id: string
    readonly assignment: Assignment
    readonly accuracy: number
    readonly resource: number
  }
  /** Every candidate in order (`<name>-1` first) with its configuration. */
  readonly candidates: ReadonlyArray<{ readonly id: string; readonly assignment: Assignment }>
  readonly rounds: ReadonlyArray<Round>
  readonly spent: bigint
  readonly exhausted: boolean
}

/** Everything a tournament can fail with. */
export type TournamentError =
  | BudgetExhausted
  | CandidateFailed
  | SpawnError
  | Ledger.UnknownAccount
  | Ledger.Unauthorized
  | InvalidInput

const Evaluate = Agent.request("Evaluate", { resource: Schema.Number, seed: Schema.String }, Schema.Number)

/** The agent owning one configuration: scores it on request with the round's resource. */
const candidateAgent = <E, R>(assignment: Assignment, task: Task<E, R>) =>
  Agent.make({
    name: "tournament-candidate",
    messages: Evaluate,
    initial: () => 0,
    handle: (evaluations: number, msg, ctx) =>
      task.evaluate(assignment, msg.resource).pipe(
        Random.withSeed(msg.seed),
        Effect.map((accuracy) => {
          ctx.reply(msg, accuracy)
          return evaluations + 1
        })
      )
  })

/** How many rounds a tournament of `candidates` runs (the best `1/eta` go on until one is left). */
export const roundsOf = (candidates: number, eta: number): number => {
  let rounds = 1
  for (let left = Math.max(1, Math.floor(candidates / eta)); left > 1; left = Math.max(1, Math.floor(left / eta)))
    rounds++
  return rounds
}

/** The seed a candidate is evaluated with in every round (so a run can retrain the same model). */
export const evaluationSeed = (seed: string, candidate: string): string => `${seed}:${candidate}`

const decodeOptions = decodeInput(TournamentOptions, "Tournament.run")
// Training is real computation, not clock time: under a live clock a large run must not time out.
const ASK_TIMEOUT = Duration.hours(1)

/**
 * Runs a successive-halving tournament and returns the winner. Every candidate agent is stopped
 * when the tournament ends, however it ends. Fails with `BudgetExhausted` when the sponsor cannot
 * pay for the first round, `CandidateFailed` when a candidate crashes, `InvalidInput` on bad options
 * (or given `assignments` that are not `candidates` many).
 *
 * @example
 * ```ts
 * const result = yield* Tournament.run({ candidates: 9, seed: "s1", sponsor: "lab", compute: "gpu" })
 * result.winner.accuracy // e.g. 0.9
 * ```
 */
export const run = <E = InvalidAssignment, R = never>(
  input: TournamentOptions,
  setup: TournamentSetup<E, R> = {}
): Effect.Effect<TournamentResult, TournamentError, AgentSystem | Ledger.Ledger | R> =>
  Effect.gen(function* () {
    const options = yield* decodeOptions(input)
    if (setup.assignments !== undefined && setup.assignments.length !== options.candidates) {
      return yield* new InvalidInput({
        where: "Tournament.run",
        issue: `${setup.assignments.length} assignments given for ${options.candidates} candidates`
      })
    }
    const task = (setup.task ?? mlpTask) as Task<E, R>
    const cost = task.cost ?? ((_: Assignment, resource: number) => resource)
    const system = yield* AgentSystem
    const ledger = yield* Ledger.Ledger
    const name = options.name ?? "tournament"
    const eta = options.eta ?? 3
    const minResource = options.minResource ?? 3
    const maxResource = options.maxResource ?? 60
    const price = options.pricePerUnit ?? 1n

    const assignments =
      setup.assignments ??
      (yield* Effect.forEach(
        Array.from({ length: options.candidates }, (_, i) => i),
        () => sample(task.space)
      ).pipe(Random.withSeed(`${options.seed}:configurations`)))
    const spawned = new Map<string, AgentRef<typeof Evaluate.Type>>()
    const stopAll = Effect.suspend(() =>
      Effect.forEach([...spawned.values()], (ref) => Effect.ignore(system.stop(ref as never)), { discard: true })
    )
    const entrants = assignments.map((assignment, index) => ({ id: `${name}-${index + 1}`, index, assignment }))

    return yield* Effect.gen(function* () {
      for (const entrant of entrants) {
        spawned.set(
          entrant.id,
          yield* system.spawn(candidateAgent(entrant.assignment, task), {
            id: entrant.id,
            restart: "temporary",
            ...(setup.supervisor === undefined ? {} : { supervisor: setup.supervisor })
          })
        )
      }
      let survivors = entrants
      const rounds: Array<Round> = []
      let spent = 0n
      let exhausted = false
      let last: ReadonlyArray<Score> = []
      for (let round = 0; survivors.length > 1 || rounds.length === 0; round++) {
        const resource = Math.min(maxResource, minResource * eta ** round)
        const prices = survivors.map(
          (entrant) => price * BigInt(Math.max(1, Math.ceil(cost(entrant.assignment, resource))))
        )
        const roundCost = prices.reduce((sum, amount) => sum + amount, 0n)
        const { available } = yield* ledger.balance(options.sponsor)
        if (available < roundCost) {
          if (round === 0) return yield* new BudgetExhausted({ sponsor: options.sponsor, needed: roundCost, available })
          exhausted = true
          break
        }
        for (const amount of prices) {
          yield* ledger.transfer({ from: options.sponsor, to: options.compute, amount }).pipe(
            Effect.catchTags({
              // Someone else spent the sponsor's money since the balance was read.
              InsufficientFunds: (error) =>
                Effect.fail(
                  new BudgetExhausted({ sponsor: options.sponsor, needed: roundCost, available: error.available })
                ),
              IdempotencyConflict: (error) => Effect.die(error)
            })
          )
        }
        spent += roundCost
        // Bounded by the candidates (at most 64): one evaluation in flight per candidate agent.
        const scores = yield* Effect.forEach(
          survivors,
          (entrant) =>
            spawned
              .get(entrant.id)!
              .ask(Evaluate.make({ resource, seed: evaluationSeed(options.seed, entrant.id) }), {
                timeout: ASK_TIMEOUT
              })
              .pipe(
                Effect.map((accuracy) => ({ entrant, accuracy })),
                Effect.mapError((error) => new CandidateFailed({ candidate: entrant.id, reason: error.message }))
              ),
          { concurrency: "unbounded" }
        )
        scores.sort((a, b) => b.accuracy - a.accuracy || a.entrant.index - b.entrant.index)
        const keep = Math.max(1, Math.floor(scores.length / eta))
        const next = scores.slice(0, keep).map((s) => s.entrant)
        for (const loser of scores.slice(keep)) {
          yield* Effect.ignore(system.stop(spawned.get(loser.entrant.id)! as never))
          spawned.delete(loser.entrant.id)
        }
        last = scores.map((s) => ({ id: s.entrant.id, accuracy: s.accuracy }))
        const done: Round = { round, resource, cost: roundCost, scores: last, survivors: next.map((e) => e.id) }
        rounds.push(done)
        survivors = next
        if (setup.onRound !== undefined) yield* setup.onRound(done)
      }
      const best = survivors[0]!
      const accuracy = last.find((s) => s.id === best.id)?.accuracy ?? 0
      return {
        winner: { id: best.id, assignment: best.assignment, accuracy, resource: rounds[rounds.length - 1]!.resource },
        candidates: entrants.map(({ assignment, id }) => ({ id, assignment })),
        rounds,
        spent,
        exhausted
      }
    }).pipe(Effect.ensuring(stopAll))
  })
