/**
 * The flagship's tournament mode (`npm start -- --mode tournament`): model selection by successive
 * halving, with a prediction market on the side.
 *
 * The halving is `Tournament.run` (apps/ml-coordination) on an iris task: candidate configurations
 * are drawn (seeded) from the flagship's search space, and each is owned by a candidate agent under
 * a supervisor of its own. Every rung, each surviving candidate is cross-validated on the iris
 * data, training on a growing share of each fold's rows (`1/eta^k` up to all of them in the last
 * rung), and each evaluation is paid from the sponsor's ledger account first; the best `1/eta` go
 * on and the losers are stopped. After each rung,
 * trader agents trade LMSR prediction markets on how the tournament ends; the markets settle
 * through the ledger when it has. The winner is compared with single-agent random search given the
 * same budget and seed. It all runs on a seed: the same seed replays the run exactly.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Random, Schema } from "effect"
import { TestClock } from "effect/testing"
import { type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import { decodeInput } from "../../src/errors/index.ts"
import { irisSpace } from "../ml/index.ts"
import { type Round, Tournament, type TournamentTask } from "../ml-coordination/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { type Assignment, type InvalidAssignment, sample } from "../../src/variables/index.ts"
import { baselineSearch, describeAssignment } from "./ensemble.ts"
import { crossValidateOnBudget } from "./fidelity.ts"
import {
  type MarketReport,
  type OpenMarket,
  openMarkets,
  type Question,
  settleMarkets,
  type Standing,
  TradeSession,
  TRADERS,
  makeTrader
} from "./market.ts"

/** How big a tournament is. */
export interface TournamentModeOptions {
  /** Seeds the configurations, the data subsets, the forests and the noise trader. */
  readonly seed: string
  /** Candidate configurations, each owned by an agent: 2 to 64 (default 27). */
  readonly candidates?: number
  /** The best `1/eta` of each rung go on, on `eta` times the training data: 2 to 8 (default 3). */
  readonly eta?: number
  /** Credits the tournament's sponsor starts with (default 400). */
  readonly budget?: number
  /**
   * Lets a trading window pass. Defaults to advancing the `TestClock` (simulated time, the same
   * seed replays the run); on a live clock pass `(millis) => Effect.sleep(millis)`.
   */
  readonly advance?: (millis: number) => Effect.Effect<void>
  /** The candidates' supervisor is handed here once started (e.g. for a dashboard to watch). */
  readonly onCandidates?: (supervisor: Supervisor.Supervisor) => Effect.Effect<void>
  /** The ledger accounts are handed here once opened (e.g. for a dashboard to watch). */
  readonly onLedger?: (ledger: Ledger.Ledger["Service"], accounts: ReadonlyArray<string>) => Effect.Effect<void>
  /** Called after each rung. */
  readonly onRung?: (progress: RungProgress) => Effect.Effect<void>
}

/** Progress after one rung. */
export interface RungProgress {
  readonly rung: number
  readonly rungs: number
  readonly candidates: number
  readonly fraction: number
  readonly best: { readonly id: string; readonly accuracy: number }
}

/** One rung: its training share, what it cost, its best candidate, who went on. */
export interface RungReport {
  readonly rung: number
  readonly fraction: number
  readonly candidates: number
  /** Credits per candidate, then for the whole rung. */
  readonly price: bigint
  readonly cost: bigint
  readonly best: { readonly id: string; readonly config: string; readonly accuracy: number }
  readonly survivors: ReadonlyArray<string>
  /** Candidate agents still running under the tournament's supervisor after the rung. */
  readonly running: number
}

/** What a tournament run did. */
export interface TournamentReport {
  readonly seed: string
  readonly candidates: number
  readonly eta: number
  readonly budget: bigint
  /** Rungs planned; fewer ran if `exhausted`. */
  readonly plannedRungs: number
  readonly rungs: ReadonlyArray<RungReport>
  readonly exhausted: boolean
  readonly winner: {
    readonly id: string
    readonly config: string
    readonly family: string
    readonly accuracy: number
    /** The share of training data its score was measured on (1 unless `exhausted`). */
    readonly fraction: number
  }
  readonly spent: bigint
  /** Credits spent, in full cross-validations (the baseline's unit). */
  readonly evaluations: number
  /** Losers stopped by the tournament's supervisor. */
  readonly stopped: number
  /** Single-agent random search with as many full evaluations as the tournament paid for, same seed. */
  readonly baseline: { readonly evaluations: number; readonly accuracy: number }
  readonly versus: "tournament" | "tie" | "random-search"
  readonly markets: ReadonlyArray<MarketReport>
  /** Each trader: orders filled and profit (credits at the end minus at the start). */
  readonly traders: ReadonlyArray<{ readonly name: string; readonly fills: number; readonly profit: bigint }>
  /** How long the run took on the `Clock` (simulated time under a `TestClock`). */
  readonly clockMillis: number
  /** Total balances over every account before and after (markets included). */
  readonly money: { readonly before: bigint; readonly after: bigint; readonly conserved: boolean }
}

const Options = Schema.Struct({
  seed: Schema.String.check(Schema.isBetweenLength(1, 128)),
  candidates: Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 64 })),
  eta: Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 8 })),
  budget: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1e12 }))
})
const decodeOptions = decodeInput(Options, "runTournament")

/** The ledger accounts of tournament mode. */
export const ACCOUNTS = { sponsor: "tournament-sponsor", compute: "tournament-compute", house: "market-house" } as const
/** Credits the house (which funds the markets) and each trader start with. */
export const HOUSE_FUNDS = 1000n
export const TRADER_FUNDS = 300n
/** How long the markets trade between two rungs, in milliseconds on the clock. */
export const TRADING_WINDOW_MILLIS = 100

/** The candidates evaluated in each rung: `n`, then `floor(n/eta)`, … while more than one is left. */
export const planRungs = (candidates: number, eta: number): ReadonlyArray<number> => {
  const sizes = [candidates]
  while (sizes[sizes.length - 1]! > eta) sizes.push(Math.floor(sizes[sizes.length - 1]! / eta))
  return sizes
}

/**
 * The iris task of tournament mode: a resource of `r` (out of `full`) cross-validates on `r/full`
 * of each fold's training rows and costs `r` credits, so a full evaluation costs `full`.
 */
export const irisBudgetTask = (full: number, foldSeed: string): TournamentTask<InvalidAssignment> => ({
  space: irisSpace,
  evaluate: (assignment: Assignment, resource: number) =>
    crossValidateOnBudget(assignment, { fraction: resource / full, foldSeed })
})

interface Entrant {
  readonly id: string
  readonly index: number
  readonly assignment: Assignment
  readonly family: string
}

/**
 * Runs tournament mode; needs the agent runtime and the ledger (the ledger must not already have
 * the accounts of `ACCOUNTS` or the traders). Fails with `BudgetExhausted` if the sponsor cannot
 * pay the first rung, `CandidateFailed` if a candidate crashes, `InvalidInput` on bad options.
 */
export const runTournament = (input: TournamentModeOptions) =>
  Effect.gen(function* () {
    const { seed, candidates, eta, budget } = yield* decodeOptions({
      seed: input.seed,
      candidates: input.candidates ?? 27,
      eta: input.eta ?? 3,
      budget: input.budget ?? 400
    })
    const agents = yield* AgentSystem
    const ledger = yield* Ledger.Ledger
    const advance = input.advance ?? ((millis: number) => TestClock.adjust(millis))
    // The run drives the clock from its start (under a TestClock this also says time is managed).
    yield* advance(0)
    const startedAt = yield* Clock.currentTimeMillis
    const foldSeed = `${seed}-folds`
    const sizes = planRungs(candidates, eta)
    // A full evaluation (all the training rows) costs `full` credits; rung k costs eta^k.
    const full = eta ** (sizes.length - 1)

    const funds: ReadonlyArray<readonly [string, bigint]> = [
      [ACCOUNTS.sponsor, BigInt(budget)],
      [ACCOUNTS.compute, 0n],
      [ACCOUNTS.house, HOUSE_FUNDS],
      ...TRADERS.map((trader) => [trader.name, TRADER_FUNDS] as const)
    ]
    for (const [account, amount] of funds) {
      yield* ledger.open(account)
      if (amount > 0n) yield* ledger.mint({ account, amount })
    }
    const total = (accounts: ReadonlyArray<string>) =>
      Effect.map(
        Effect.forEach(accounts, (account) => ledger.balance(account)),
        (balances) => balances.reduce((sum, { available, held }) => sum + available + held, 0n)
      )
    const before = yield* total(funds.map(([account]) => account))
    if (input.onLedger !== undefined)
      yield* input.onLedger(
        ledger,
        funds.map(([account]) => account)
      )

    const pool = yield* Supervisor.make({ name: "tournament" })
    if (input.onCandidates !== undefined) yield* input.onCandidates(pool)
    const latest = new Map<string, { readonly rung: number; readonly accuracy: number }>()
    const assignments = yield* Effect.forEach(
      Array.from({ length: candidates }, (_, i) => i),
      () => sample(irisSpace)
    ).pipe(Random.withSeed(`${seed}:configurations`))
    // `Tournament.run` names the candidates `candidate-1`, `candidate-2`, … in this order.
    const entrants: ReadonlyArray<Entrant> = assignments.map((assignment, index) => ({
      id: `candidate-${index + 1}`,
      index,
      assignment,
      family: String(assignment["model"])
    }))
    const byId = new Map(entrants.map((entrant) => [entrant.id, entrant]))
    const standings = (alive: ReadonlySet<string>): ReadonlyArray<Standing> =>
      entrants.map((entrant) => ({
        id: entrant.id,
        family: entrant.family,
        ...latest.get(entrant.id)!,
        alive: alive.has(entrant.id)
      }))
    const rungs: Array<RungReport> = []
    let markets: ReadonlyArray<OpenMarket> = []
    const traders: Array<readonly [string, AgentRef<typeof TradeSession.Type>]> = []
    const fills = new Map<string, number>()
    let stopped = 0

    /** After each rung: report it, open the markets after the first, trade while the outcome is open. */
    const onRound = (round: Round) =>
      Effect.gen(function* () {
        const rung = round.round
        for (const { id, accuracy } of round.scores) latest.set(id, { rung, accuracy })
        stopped += round.scores.length - round.survivors.length
        const best = round.scores[0]!
        const fraction = round.resource / full
        rungs.push({
          rung,
          fraction,
          candidates: round.scores.length,
          price: BigInt(round.resource),
          cost: round.cost,
          best: { id: best.id, config: describeAssignment(byId.get(best.id)!.assignment), accuracy: best.accuracy },
          survivors: round.survivors,
          running: (yield* pool.children).filter((child) => child.running).length
        })
        if (input.onRung !== undefined) {
          yield* input.onRung({ rung: rung + 1, rungs: sizes.length, candidates: round.scores.length, fraction, best })
        }
        if (rung === 0) {
          const questions: ReadonlyArray<Question> = [
            { _tag: "Duel", id: "duel", a: round.scores[0]!.id, b: round.scores[1]!.id },
            { _tag: "Family", id: "family" },
            { _tag: "Versus", id: "versus" }
          ]
          markets = yield* openMarkets(questions, ACCOUNTS.house)
          for (const profile of TRADERS) {
            traders.push([
              profile.name,
              yield* agents.spawn(makeTrader(profile, markets, seed), { id: `trader-${profile.name}` })
            ])
          }
        }
        // Trade while the outcome is still open: after every rung but the last.
        if (rung < sizes.length - 1) {
          const known = standings(new Set(round.survivors))
          for (const [name, trader] of traders) {
            const filled = yield* trader.ask(TradeSession.make({ session: rung, standings: known }), {
              timeout: "1 hour"
            })
            fills.set(name, (fills.get(name) ?? 0) + filled)
          }
          yield* advance(TRADING_WINDOW_MILLIS)
        }
      }).pipe(Effect.orDie, Effect.withSpan("mabeam.flagship.round", { attributes: { rung: round.round } }))

    const result = yield* Tournament.run(
      {
        name: "candidate",
        candidates,
        eta,
        minResource: 1,
        maxResource: full,
        seed,
        sponsor: ACCOUNTS.sponsor,
        compute: ACCOUNTS.compute
      },
      { task: irisBudgetTask(full, foldSeed), assignments, supervisor: pool, onRound }
    )
    const spent = result.spent
    const exhausted = result.exhausted

    const winner = byId.get(result.winner.id)!
    const score = latest.get(winner.id)!
    const evaluations = Number(spent) / full
    const baseline = yield* baselineSearch(Math.max(1, Math.floor(evaluations)), foldSeed).pipe(
      Random.withSeed(`${seed}-baseline`)
    )
    const versus =
      Math.abs(score.accuracy - baseline.accuracy) < 1e-9
        ? ("tie" as const)
        : score.accuracy > baseline.accuracy
          ? ("tournament" as const)
          : ("random-search" as const)
    const finish = [...entrants]
      .sort((a, b) => {
        const x = latest.get(a.id)!
        const y = latest.get(b.id)!
        return y.rung - x.rung || y.accuracy - x.accuracy || a.index - b.index
      })
      .map((entrant) => entrant.id)
    const settled = yield* settleMarkets(markets, { finish, winnerFamily: winner.family, versus })

    const traderRows = yield* Effect.forEach(TRADERS, (profile) =>
      Effect.map(ledger.balance(profile.name), ({ available, held }) => ({
        name: profile.name,
        fills: fills.get(profile.name) ?? 0,
        profit: available + held - TRADER_FUNDS
      }))
    )
    const after = yield* total([...funds.map(([account]) => account), ...markets.map(({ market }) => market.account)])
    const audit = yield* ledger.audit
    const now = yield* Clock.currentTimeMillis
    return {
      seed,
      candidates,
      eta,
      budget: BigInt(budget),
      plannedRungs: sizes.length,
      rungs,
      exhausted,
      winner: {
        id: winner.id,
        config: describeAssignment(winner.assignment),
        family: winner.family,
        accuracy: score.accuracy,
        fraction: eta ** (score.rung - (sizes.length - 1))
      },
      spent,
      evaluations,
      stopped,
      baseline,
      versus,
      markets: settled,
      traders: traderRows,
      clockMillis: now - startedAt,
      money: { before, after, conserved: before === after && audit.supply === before && audit.held === 0n }
    } satisfies TournamentReport
  }).pipe(
    Effect.withSpan("mabeam.flagship.run", { attributes: { mode: "tournament", task: "iris", seed: input.seed } })
  )
