/**
 * The flagship: a team of agents tunes the hyperparameters of a real model on a real dataset.
 *
 * Each round, the strategists (random search, grid search, TPE) bid in second-price auctions for
 * the round's evaluation slots, paying from their ledger budgets. Each winner proposes an
 * assignment of the universal variables (model family and hyperparameters); a worker agent
 * cross-validates that mljs model on the iris data and the coordinator (the study's single owner)
 * records the score. The final model is an ensemble of the best configurations voting by
 * majority, and the team is compared with single-agent random search at the same budget and seed. Chaos: a seeded share of
 * trials kills its worker mid-training; the supervisor restarts the worker and the trial is run
 * again elsewhere with the same seed, so the result is exact. It all runs in simulated time.
 *
 * @since 0.1.0
 */
import { Clock, Deferred, Effect, Option, Random, Stream } from "effect"
import { TestClock } from "effect/testing"
import { type AskError, type AskOptions, AgentSystem } from "../../src/agent/index.ts"
import type { InvalidInput } from "../../src/errors/index.ts"
import { AuctionHouse, Ledger } from "../../src/economics/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { crossValidate, irisSpace } from "../ml/index.ts"
import {
  type Assignment,
  GridSearch,
  Orchestrator,
  RandomSearch,
  SingleOwner,
  type Strategy,
  Tpe
} from "../../src/variables/index.ts"
import { Coordinator, Flush, makeStrategist, makeWorker, Propose, Report, STUDY, Train } from "./agents.ts"
import { bidFor } from "./bidding.ts"
import { baselineSearch, chooseEnsemble, describeAssignment } from "./ensemble.ts"

/** A worker `runTuning` can ask to train: a local agent, or e.g. a cluster agent on another runner. */
export interface TrainingWorker {
  readonly id: string
  readonly ask: (
    request: typeof Train.Type,
    options?: AskOptions
  ) => Effect.Effect<{ readonly accuracy: number }, AskError | InvalidInput>
}

/**
 * Workers that run elsewhere (for example cluster agents spread over runners): `runTuning` asks
 * them instead of spawning its own under a supervisor. A worker killed mid-training fails the
 * ask with `AgentStopped`, and the trial runs again on the next worker, as with local workers.
 */
export interface WorkerPool {
  readonly workers: ReadonlyArray<TrainingWorker>
  /** Who brings a killed worker back, for the summary (e.g. "their runner"). */
  readonly revivedBy: string
}

/** How big a run is. */
export interface TuningOptions {
  /** Seeds the strategies, the chaos and the training: the same seed gives the same run. */
  readonly seed: string
  readonly workers?: number
  /** Workers that run elsewhere; when given, `workers` is ignored and none are spawned. */
  readonly pool?: WorkerPool
  readonly rounds?: number
  /** Share of trials whose worker is killed mid-training (0 to 1). */
  readonly chaos?: number
  /** Credits each strategist starts with. */
  readonly budget?: number
  /** How many of the best configurations form the final ensemble (default 3). */
  readonly ensemble?: number
  /**
   * Lets the auctions' deadline pass. Defaults to advancing the `TestClock` (simulated time, the
   * same seed replays the run); on a live clock pass `(millis) => Effect.sleep(millis)`.
   */
  readonly advance?: (millis: number) => Effect.Effect<void>
  /** The workers' supervisor is handed here once started (e.g. for a dashboard to watch). */
  readonly onWorkers?: (supervisor: Supervisor.Supervisor) => Effect.Effect<void>
  /** The ledger accounts are handed here once opened (e.g. for a dashboard to watch). */
  readonly onLedger?: (ledger: Ledger.Ledger["Service"], accounts: ReadonlyArray<string>) => Effect.Effect<void>
  /** Called after each round with the best score so far. */
  readonly onRound?: (progress: RoundProgress) => Effect.Effect<void>
}

/** Progress after one round. */
export interface RoundProgress {
  readonly round: number
  readonly rounds: number
  readonly trials: number
  readonly best: number | undefined
  readonly strategy: string | undefined
}

/** What a run did. */
export interface TuningReport {
  readonly seed: string
  readonly trials: number
  readonly best: { readonly accuracy: number; readonly strategy: string; readonly trial: number } | undefined
  /** Each new best: after how many trials, its accuracy, who found it. */
  readonly improvements: ReadonlyArray<{ readonly trial: number; readonly accuracy: number; readonly strategy: string }>
  readonly strategies: ReadonlyArray<{
    readonly name: string
    readonly won: number
    readonly spent: bigint
    readonly left: bigint
    readonly bests: number
    readonly best: number | undefined
  }>
  readonly crashes: number
  readonly recoveries: number
  readonly restarts: number
  /** Set when the workers ran elsewhere (`TuningOptions.pool`): who brought killed workers back. */
  readonly revivedBy?: string
  /** How long the run took on the `Clock` (simulated time under a `TestClock`). */
  readonly clockMillis: number
  readonly moneyConserved: boolean
  /** The final model: the best configurations voting by majority, and its cross-validated accuracy. */
  readonly ensemble: { readonly members: ReadonlyArray<string>; readonly accuracy: number }
  /** Single-agent random search with the same number of evaluations and the same seed. */
  readonly baseline: { readonly evaluations: number; readonly accuracy: number }
}

const SLOT_AUCTION_MILLIS = 100

/** How long the summary waits for the supervisor to restart the last killed workers (live clock). */
const RESTART_WAIT = "5 seconds"

/**
 * Runs the flagship; needs the agent runtime, the ledger and auction house and the orchestrator
 * (and a `TestClock` unless `advance` is given).
 */
export const runTuning = (options: TuningOptions) =>
  Effect.gen(function* () {
    const workersCount = options.pool?.workers.length ?? options.workers ?? 3
    const rounds = options.rounds ?? 8
    const chaos = options.chaos ?? 0.15
    const budget = BigInt(options.budget ?? 400)
    const agents = yield* AgentSystem
    const ledger = yield* Ledger.Ledger
    const house = yield* AuctionHouse.AuctionHouse
    const orchestrator = yield* Orchestrator
    const advance = options.advance ?? ((millis: number) => TestClock.adjust(millis))
    const startedAt = yield* Clock.currentTimeMillis

    let restarts = 0
    // Set at the end when the supervisor has not caught up with the kills yet: completed once it has.
    let caughtUp: { readonly target: number; readonly done: Deferred.Deferred<void> } | undefined
    yield* agents.events.pipe(
      Stream.runForEach((event) =>
        event._tag !== "AgentRestarted"
          ? Effect.void
          : Effect.suspend(() => {
              restarts++
              return caughtUp !== undefined && restarts >= caughtUp.target
                ? Deferred.succeed(caughtUp.done, undefined)
                : Effect.void
            })
      ),
      Effect.forkScoped
    )
    yield* Effect.yieldNow

    yield* orchestrator.define(STUDY, { space: irisSpace, goal: "maximize", policy: SingleOwner.make("coordinator") })
    const strategies: ReadonlyArray<Strategy> = [RandomSearch, GridSearch.make({ levels: 4 }), Tpe.make()]
    yield* ledger.open("compute")
    for (const strategy of strategies) {
      yield* ledger.open(strategy.name)
      yield* ledger.mint({ account: strategy.name, amount: budget })
    }
    const minted = budget * BigInt(strategies.length)

    const coordinator = yield* agents.spawn(Coordinator, { id: "coordinator" })
    const strategists = new Map(
      yield* Effect.forEach(strategies, (strategy) =>
        Effect.map(
          agents.spawn(makeStrategist(strategy), { id: `strategist-${strategy.name}` }),
          (ref) => [strategy.name, ref] as const
        )
      )
    )
    // Local workers get a supervisor of their own: chaos kills them often, and their restarts must
    // not count against the root supervisor's intensity.
    const workers: ReadonlyArray<TrainingWorker> =
      options.pool?.workers ??
      (yield* Effect.gen(function* () {
        const pool = yield* Supervisor.make({ name: "workers", intensity: { maxRestarts: 1000, within: "1 minute" } })
        const spawned = yield* Effect.forEach(
          Array.from({ length: workersCount }, (_, i) => i + 1),
          (n) => agents.spawn(makeWorker(options.seed), { id: `worker-${n}`, supervisor: pool })
        )
        if (options.onWorkers !== undefined) yield* options.onWorkers(pool)
        return spawned.map(
          (worker): TrainingWorker => ({ id: worker.id, ask: (request, askOptions) => worker.ask(request, askOptions) })
        )
      }))
    if (options.onLedger !== undefined)
      yield* options.onLedger(ledger, ["compute", ...strategies.map((strategy) => strategy.name)])

    const won = new Map(strategies.map((strategy) => [strategy.name, 0]))
    let trials = 0
    let crashes = 0
    let recoveries = 0

    /** Runs one trial on `first`, and on the next workers if a worker is killed under it. */
    const runTrial = (trial: number, assignment: Assignment, first: number, crashAtFold: number | undefined) =>
      Effect.gen(function* () {
        for (let attempt = 0; attempt < workers.length; attempt++) {
          const worker = workers[(first + attempt) % workers.length]!
          const killed = attempt === 0 ? crashAtFold : undefined
          const result = yield* Effect.result(
            worker.ask(Train.make({ trial, assignment, ...(killed === undefined ? {} : { crashAtFold: killed }) }), {
              timeout: "1 hour"
            })
          )
          if (result._tag === "Success") {
            if (attempt > 0) recoveries++
            return Option.some(result.success)
          }
          if (result.failure._tag !== "AgentStopped") return yield* result.failure
          // A kill is the injected crash; a later attempt may also meet a worker that is still restarting.
          if (killed !== undefined) crashes++
        }
        return Option.none()
      })

    for (let round = 1; round <= rounds; round++) {
      yield* Effect.gen(function* () {
        const summary = yield* orchestrator.summary(STUDY)
        for (let slot = 1; slot <= workersCount; slot++) {
          yield* house.open({
            kind: "second-price",
            id: `r${round}-s${slot}`,
            seller: "compute",
            reserve: 1n,
            duration: SLOT_AUCTION_MILLIS
          })
          for (const strategy of strategies) {
            const { available } = yield* ledger.balance(strategy.name)
            const amount = bidFor(summary, strategy.name, available)
            if (amount > 0n) yield* house.bid({ auction: `r${round}-s${slot}`, bidder: strategy.name, amount })
          }
        }
        yield* advance(SLOT_AUCTION_MILLIS)
        const winners = yield* Effect.forEach(
          Array.from({ length: workersCount }, (_, i) => i + 1),
          (slot) => Effect.map(house.outcome(`r${round}-s${slot}`), (outcome) => outcome.award?.winner)
        )

        const jobs = yield* Effect.forEach(winners, (winner, slot) =>
          Effect.gen(function* () {
            if (winner === undefined) return undefined
            won.set(winner, (won.get(winner) ?? 0) + 1)
            const proposal = yield* strategists.get(winner)!.ask(Propose.make({}))
            const trial = ++trials
            const crashAtFold = (yield* Random.next) < chaos ? yield* Random.nextIntBetween(1, 4) : undefined
            return { proposal, trial, slot, crashAtFold }
          })
        )
        yield* Effect.forEach(
          jobs,
          (job) =>
            job === undefined
              ? Effect.void
              : Effect.gen(function* () {
                  const result = yield* runTrial(job.trial, job.proposal.assignment, job.slot, job.crashAtFold)
                  if (Option.isSome(result)) {
                    yield* coordinator.tell(
                      Report.make({
                        proposal: job.proposal.id,
                        assignment: job.proposal.assignment,
                        score: result.value.accuracy,
                        strategy: job.proposal.strategy
                      })
                    )
                  }
                }),
          { concurrency: "unbounded", discard: true }
        )
        yield* coordinator.ask(Flush.make({}))
        if (options.onRound !== undefined) {
          const best = Option.getOrUndefined((yield* orchestrator.summary(STUDY)).best)
          yield* options.onRound({ round, rounds, trials, best: best?.score, strategy: best?.strategy })
        }
      }).pipe(Effect.withSpan("mabeam.flagship.round", { attributes: { round } }))
    }

    // Every killed worker is restarted by its supervisor: on the live clock the last restarts may
    // still be on their way, so wait for them (bounded) before the summary counts them.
    if (options.pool === undefined && restarts < crashes) {
      const done = yield* Deferred.make<void>()
      caughtUp = { target: crashes, done }
      if (restarts < crashes) yield* Effect.timeoutOption(Deferred.await(done), RESTART_WAIT)
    }

    const ensemble = yield* chooseEnsemble(yield* orchestrator.history(STUDY), options.ensemble ?? 3).pipe(
      Effect.flatMap((members) =>
        Effect.map(
          crossValidate(
            members.map((member) => member.assignment),
            { foldSeed: `${options.seed}-folds` }
          ),
          (accuracy) => ({
            members: members.map((member) => describeAssignment(member.assignment)),
            accuracy
          })
        )
      ),
      Random.withSeed(`${options.seed}-ensemble`)
    )
    const baseline = yield* baselineSearch(trials, `${options.seed}-folds`).pipe(
      Random.withSeed(`${options.seed}-baseline`)
    )

    const summary = yield* orchestrator.summary(STUDY)
    const history = yield* orchestrator.history(STUDY)
    const trialOf = new Map(history.map((observation, index) => [observation.proposal, index + 1]))
    const totals = yield* ledger.audit
    const now = yield* Clock.currentTimeMillis
    const rows = yield* Effect.forEach(strategies, (strategy) =>
      Effect.map(ledger.balance(strategy.name), ({ available, held }) => ({
        name: strategy.name,
        won: won.get(strategy.name) ?? 0,
        spent: budget - available - held,
        left: available + held,
        bests: summary.improvements.filter((observation) => observation.strategy === strategy.name).length,
        best: summary.strategies[strategy.name]?.best
      }))
    )
    const best = Option.getOrUndefined(summary.best)
    return {
      seed: options.seed,
      trials,
      best:
        best === undefined
          ? undefined
          : { accuracy: best.score, strategy: best.strategy, trial: trialOf.get(best.proposal) ?? 0 },
      improvements: summary.improvements.map((observation) => ({
        trial: trialOf.get(observation.proposal) ?? 0,
        accuracy: observation.score,
        strategy: observation.strategy
      })),
      strategies: rows,
      crashes,
      recoveries,
      restarts,
      ...(options.pool === undefined ? {} : { revivedBy: options.pool.revivedBy }),
      clockMillis: now - startedAt,
      moneyConserved: totals.supply === minted && totals.held === 0n,
      ensemble,
      baseline
    } satisfies TuningReport
  }).pipe(Effect.withSpan("mabeam.flagship.run", { attributes: { mode: "tuning", task: "iris", seed: options.seed } }))
