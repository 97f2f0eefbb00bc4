/**
 * The flagship's team on a budget: strategist agents (random search and TPE by default; grid search
 * can join) buy the
 * round's candidate slots in sequential second-price auctions, paying credits from their ledger
 * accounts (a strategist values its next slot less the more it already holds this round); each
 * slot's winner proposes a configuration; the round's proposals run a successive-halving
 * `Tournament.run` (apps/ml-coordination) paid in the task's budget unit from the team's compute
 * budget; the coordinator (the study's single owner) records each candidate's best score, which the
 * strategists read next round. When the budget cannot pay another round the best fully trained
 * configurations form an ensemble. Simulated time, seeded: the same seed replays the run exactly.
 *
 * @since 0.2.0
 */
import { Clock, Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { AuctionHouse, Ledger } from "../../src/economics/index.ts"
import {
  type Assignment,
  GridSearch,
  Orchestrator,
  type Proposal,
  RandomSearch,
  SingleOwner,
  type Strategy,
  Tpe
} from "../../src/variables/index.ts"
import { Tournament } from "../ml-coordination/index.ts"
import { Coordinator, Flush, makeStrategist, Propose, Report, STUDY } from "./agents.ts"
import { bidFor } from "./bidding.ts"
import type { TuningTask } from "./task.ts"

/** How big a team run is. */
export interface TeamOptions {
  /** Seeds the strategies, the tournaments and the training: the same seed gives the same run. */
  readonly seed: string
  readonly task: TuningTask
  /** The compute budget, in the task's unit (epochs for spirals). */
  readonly budget: number
  /** Candidate slots auctioned per round (default 27: a tournament of three rungs, on 1/9, 1/3 and all of the budget). */
  readonly slots?: number
  /** Each round's tournament keeps the best `1/eta` (default 3). */
  readonly eta?: number
  /**
   * The strategists of the team (default `DEFAULT_STRATEGISTS`: random search and TPE). Grid search
   * can join, but measured on the spirals task it costs the team: see `DEFAULT_STRATEGISTS`.
   */
  readonly strategies?: ReadonlyArray<StrategistName>
  /** Credits each strategist starts with, to bid for slots (default 3000). */
  readonly credits?: number
  /** How many of the best fully trained configurations form the final ensemble (default 3). */
  readonly ensemble?: number
  /** Lets each auction's deadline pass (default: advance the `TestClock`). */
  readonly advance?: (millis: number) => Effect.Effect<void>
  /** Called after each round. */
  readonly onRound?: (progress: TeamRoundProgress) => Effect.Effect<void>
}

/** Progress after one round. */
export interface TeamRoundProgress {
  readonly round: number
  readonly candidates: number
  readonly spent: number
  readonly budget: number
  readonly best: number | undefined
  readonly strategy: string | undefined
}

/** What a team run did. */
export interface TeamReport {
  readonly seed: string
  readonly task: TuningTask["name"]
  readonly budget: number
  /** Budget units spent; what is left could not pay another round. */
  readonly spent: number
  readonly rounds: number
  /** Configurations proposed and evaluated (on a share of their budget at least). */
  readonly candidates: number
  /** Of those, trained in full. */
  readonly fullEvaluations: number
  readonly best: { readonly score: number; readonly strategy: string; readonly config: string } | undefined
  /** Each new best: after how many candidates, its score, who found it. */
  readonly improvements: ReadonlyArray<{
    readonly candidate: number
    readonly score: number
    readonly strategy: string
  }>
  readonly strategies: ReadonlyArray<{
    readonly name: string
    readonly won: number
    readonly spent: bigint
    readonly left: bigint
    readonly bests: number
    readonly best: number | undefined
  }>
  /** The best fully trained configurations, averaged. */
  readonly ensemble: { readonly members: ReadonlyArray<string>; readonly score: number } | undefined
  readonly moneyConserved: boolean
  readonly clockMillis: number
}

/** The strategists a team can have. */
export const STRATEGISTS = ["random", "grid", "tpe"] as const

/** The name of a strategist. */
export type StrategistName = (typeof STRATEGISTS)[number]

/**
 * The default team: random search and TPE. With grid search as a third strategist the team tied
 * random search over 20 seeds at 1500 epochs (+0.2 points, 95% interval [−0.2, +0.6]): grid search
 * (4 levels on 6 hyperparameters) walks its 4096 points in a fixed order from one corner of the
 * space, its best stays far below the others', yet the slot auctions (a bid grows with a
 * strategist's best score and shrinks with each slot it already holds) still sold it about a third
 * of the slots. Without it the team is ahead, +1.0 [+0.4, +1.6] (bench/flagship-seeds.bench.ts).
 */
export const DEFAULT_STRATEGISTS: ReadonlyArray<StrategistName> = ["random", "tpe"]

const strategyOf = (name: StrategistName): Strategy =>
  name === "random" ? RandomSearch : name === "grid" ? GridSearch.make({ levels: 4 }) : Tpe.make()

const SLOT_AUCTION_MILLIS = 100
/** The team's compute budget and the account paid for training. */
const SPONSOR = "team-budget"
const TRAINER = "trainer"

interface Trained {
  readonly assignment: Assignment
  readonly score: number
  readonly seed: string
  readonly order: number
}

/** Runs the team; needs the agent runtime, the ledger and auction house and the orchestrator. */
export const runTeam = (options: TeamOptions) =>
  Effect.gen(function* () {
    const { task, seed } = options
    const slots = options.slots ?? 27
    const eta = options.eta ?? 3
    const credits = BigInt(options.credits ?? 3000)
    const agents = yield* AgentSystem
    const ledger = yield* Ledger.Ledger
    const house = yield* AuctionHouse.AuctionHouse
    const orchestrator = yield* Orchestrator
    const advance = options.advance ?? ((millis: number) => TestClock.adjust(millis))
    const startedAt = yield* Clock.currentTimeMillis

    yield* orchestrator.define(STUDY, { space: task.space, goal: "maximize", policy: SingleOwner.make("coordinator") })
    const strategies: ReadonlyArray<Strategy> = (options.strategies ?? DEFAULT_STRATEGISTS).map(strategyOf)
    yield* ledger.open("compute")
    for (const strategy of strategies) {
      yield* ledger.open(strategy.name)
      yield* ledger.mint({ account: strategy.name, amount: credits })
    }
    yield* ledger.open(SPONSOR)
    yield* ledger.mint({ account: SPONSOR, amount: BigInt(options.budget) })
    yield* ledger.open(TRAINER)
    const minted = credits * BigInt(strategies.length) + BigInt(options.budget)

    const coordinator = yield* agents.spawn(Coordinator, { id: "coordinator" })
    const strategists = new Map(
      yield* Effect.forEach(strategies, (strategy) =>
        Effect.map(
          agents.spawn(makeStrategist(strategy), { id: `strategist-${strategy.name}` }),
          (ref) => [strategy.name, ref] as const
        )
      )
    )
    const won = new Map(strategies.map((strategy) => [strategy.name, 0]))
    const trained: Array<Trained> = []
    let candidates = 0
    let rounds = 0

    /** Sells one slot: each strategist bids its value for the study so far, less for each slot it holds. */
    const sellSlot = (id: string, held: ReadonlyMap<string, number>) =>
      Effect.gen(function* () {
        const summary = yield* orchestrator.summary(STUDY)
        yield* house.open({ kind: "second-price", id, seller: "compute", reserve: 1n, duration: SLOT_AUCTION_MILLIS })
        for (const strategy of strategies) {
          const { available } = yield* ledger.balance(strategy.name)
          const amount = bidFor(summary, strategy.name, available) / BigInt(1 + (held.get(strategy.name) ?? 0))
          if (amount > 0n) yield* house.bid({ auction: id, bidder: strategy.name, amount })
        }
        yield* advance(SLOT_AUCTION_MILLIS)
        return (yield* house.outcome(id)).award?.winner
      })

    const round = (index: number) =>
      Effect.gen(function* () {
        const held = new Map<string, number>()
        const proposals: Array<Proposal> = []
        for (let slot = 1; slot <= slots; slot++) {
          const winner = yield* sellSlot(`r${index}-s${slot}`, held)
          if (winner === undefined) continue
          held.set(winner, (held.get(winner) ?? 0) + 1)
          won.set(winner, (won.get(winner) ?? 0) + 1)
          proposals.push(yield* strategists.get(winner)!.ask(Propose.make({})))
        }
        // Fit the round to what is left of the budget: fewer candidates if their first rung cannot be paid.
        const { available } = yield* ledger.balance(SPONSOR)
        let count = proposals.length
        const firstRung = (n: number) => {
          const full = eta ** (Tournament.roundsOf(n, eta) - 1)
          return proposals.slice(0, n).reduce((sum, proposal) => sum + task.cost(proposal.assignment, 1 / full), 0)
        }
        while (count > 2 && firstRung(count) > Number(available)) count--
        if (count < 2 || firstRung(count) > Number(available)) return false
        const entered = proposals.slice(0, count)
        const full = eta ** (Tournament.roundsOf(count, eta) - 1)
        const tournamentSeed = `${seed}-r${index}`
        const result = yield* Tournament.run(
          {
            name: `r${index}-candidate`,
            candidates: count,
            eta,
            minResource: 1,
            maxResource: full,
            seed: tournamentSeed,
            sponsor: SPONSOR,
            compute: TRAINER
          },
          {
            task: {
              space: task.space,
              evaluate: (assignment, resource) => task.evaluate(assignment, resource / full),
              cost: (assignment, resource) => task.cost(assignment, resource / full)
            },
            assignments: entered.map((proposal) => proposal.assignment)
          }
        )
        const bestOf = new Map<string, number>()
        for (const done of result.rounds) {
          for (const score of done.scores) bestOf.set(score.id, Math.max(bestOf.get(score.id) ?? 0, score.accuracy))
          if (done.resource === full) {
            for (const score of done.scores) {
              const index = result.candidates.findIndex((candidate) => candidate.id === score.id)
              trained.push({
                assignment: entered[index]!.assignment,
                score: score.accuracy,
                seed: Tournament.evaluationSeed(tournamentSeed, score.id),
                order: trained.length
              })
            }
          }
        }
        yield* Effect.forEach(
          result.candidates,
          (candidate, i) =>
            coordinator.tell(
              Report.make({
                proposal: entered[i]!.id,
                assignment: entered[i]!.assignment,
                score: bestOf.get(candidate.id) ?? 0,
                strategy: entered[i]!.strategy
              })
            ),
          { discard: true }
        )
        yield* coordinator.ask(Flush.make({}))
        candidates += count
        return true
      }).pipe(Effect.withSpan("mabeam.flagship.round", { attributes: { round: index } }))

    for (let index = 1; ; index++) {
      if (!(yield* round(index))) break
      rounds = index
      if (options.onRound !== undefined) {
        const best = Option.getOrUndefined((yield* orchestrator.summary(STUDY)).best)
        const { available } = yield* ledger.balance(SPONSOR)
        yield* options.onRound({
          round: index,
          candidates,
          spent: options.budget - Number(available),
          budget: options.budget,
          best: best?.score,
          strategy: best?.strategy
        })
      }
    }

    const members = [...trained]
      .sort((x, y) => y.score - x.score || x.order - y.order)
      .reduce<Array<Trained>>((chosen, entry) => {
        const size = options.ensemble ?? 3
        if (
          chosen.length < size &&
          !chosen.some((member) => task.describe(member.assignment) === task.describe(entry.assignment))
        )
          chosen.push(entry)
        return chosen
      }, [])
    const ensemble =
      members.length === 0
        ? undefined
        : {
            members: members.map((member) => task.describe(member.assignment)),
            score: yield* task.ensemble(members)
          }

    const summary = yield* orchestrator.summary(STUDY)
    const history = yield* orchestrator.history(STUDY)
    const order = new Map(history.map((observation, index) => [observation.proposal, index + 1]))
    const totals = yield* ledger.audit
    const { available: left } = yield* ledger.balance(SPONSOR)
    const rows = yield* Effect.forEach(strategies, (strategy) =>
      Effect.map(ledger.balance(strategy.name), ({ available, held }) => ({
        name: strategy.name,
        won: won.get(strategy.name) ?? 0,
        spent: credits - available - held,
        left: available + held,
        bests: summary.improvements.filter((observation) => observation.strategy === strategy.name).length,
        best: summary.strategies[strategy.name]?.best
      }))
    )
    const best = Option.getOrUndefined(summary.best)
    return {
      seed,
      task: task.name,
      budget: options.budget,
      spent: options.budget - Number(left),
      rounds,
      candidates,
      fullEvaluations: trained.length,
      best:
        best === undefined
          ? undefined
          : { score: best.score, strategy: best.strategy, config: task.describe(best.assignment) },
      improvements: summary.improvements.map((observation) => ({
        candidate: order.get(observation.proposal) ?? 0,
        score: observation.score,
        strategy: observation.strategy
      })),
      strategies: rows,
      ensemble,
      moneyConserved: totals.supply === minted && totals.held === 0n,
      clockMillis: (yield* Clock.currentTimeMillis) - startedAt
    } satisfies TeamReport
  }).pipe(
    Effect.withSpan("mabeam.flagship.run", {
      attributes: { mode: "team", task: options.task.name, seed: options.seed, budget: options.budget }
    })
  )
