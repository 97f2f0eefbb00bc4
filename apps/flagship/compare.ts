/**
 * The flagship's claim, measured: the team (`runTeam`) and single-agent random search
 * (`randomSearch`) tune the same task with the same budget, in the same unit, on the same data,
 * for each of `seeds` seeds; the result is each one's mean best score with its 95% interval and the
 * paired difference (same seed) with its interval. Used by `npm start -- --seeds N` and the bench.
 *
 * @since 0.2.0
 */
import { Effect, Layer } from "effect"
import { AuctionHouse, Ledger } from "../../src/economics/index.ts"
import { MabeamTest } from "../../src/runtime/index.ts"
import { Orchestrator } from "../../src/variables/index.ts"
import type { TaskName } from "./mode.ts"
import { randomSearch } from "./random-search.ts"
import { type Interval, meanInterval, pairedInterval } from "./stats.ts"
import { taskNamed } from "./task.ts"
import { runTeam, type StrategistName, type TeamOptions } from "./team.ts"

/** What to compare. */
export interface ComparisonOptions {
  readonly task: TaskName
  /** The budget of each contender, in the task's unit. */
  readonly budget: number
  readonly seeds: number
  /** Seed `i` (from 1) is `"<seed>-<i>"`. */
  readonly seed: string
  readonly slots?: number
  readonly eta?: number
  readonly strategies?: ReadonlyArray<StrategistName>
  /** Called after each seed (progress). */
  readonly onSeed?: (row: SeedResult) => Effect.Effect<void>
}

/** One seed: each contender's best score. */
export interface SeedResult {
  readonly seed: string
  readonly team: number
  readonly ensemble: number
  readonly random: number
  readonly teamSpent: number
  readonly randomSpent: number
}

/** The comparison over every seed. */
export interface Comparison {
  readonly task: TaskName
  readonly unit: string
  readonly budget: number
  readonly rows: ReadonlyArray<SeedResult>
  readonly team: Interval
  readonly ensemble: Interval
  readonly random: Interval
  /** Team's best model minus random search's best, paired by seed. */
  readonly difference: Interval
  /** Team's ensemble minus random search's best, paired by seed. */
  readonly ensembleDifference: Interval
}

/** The services one team run needs, fresh for each seed. */
const servicesFor = (seed: string) =>
  Layer.mergeAll(
    AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
    Orchestrator.layer
  ).pipe(Layer.provideMerge(MabeamTest.layer({ seed })))

/** Options of one seeded run of both contenders. */
export type DuelOptions = Omit<TeamOptions, "task"> & { readonly task: TaskName }

/** The team alone, seeded, in simulated time on services of its own. */
export const teamAlone = (options: DuelOptions) =>
  runTeam({ ...options, task: taskNamed(options.task, options.seed) }).pipe(
    Effect.scoped,
    Effect.provide(servicesFor(options.seed))
  )

/**
 * One seeded run of both contenders: the team (in simulated time, on services of its own), then
 * random search, on the same task, budget and data. The same seed replays both exactly.
 */
export const duel = (options: DuelOptions) =>
  Effect.gen(function* () {
    const task = taskNamed(options.task, options.seed)
    const team = yield* teamAlone(options)
    const random = yield* randomSearch(task, options.budget, `${options.seed}-random-search`)
    return { team, random }
  })

/** One seed of the comparison. */
export const compareOnce = (options: DuelOptions) =>
  Effect.gen(function* () {
    const { random, team } = yield* duel(options)
    return {
      seed: options.seed,
      team: team.best?.score ?? 0,
      ensemble: Math.max(team.best?.score ?? 0, team.ensemble?.score ?? 0),
      random: random.best,
      teamSpent: team.spent,
      randomSpent: random.spent
    } satisfies SeedResult
  })

/** Runs the comparison seed after seed. */
export const compare = (options: ComparisonOptions) =>
  Effect.gen(function* () {
    const rows: Array<SeedResult> = []
    for (let i = 1; i <= options.seeds; i++) {
      const row = yield* compareOnce({
        task: options.task,
        seed: `${options.seed}-${i}`,
        budget: options.budget,
        ...(options.slots === undefined ? {} : { slots: options.slots }),
        ...(options.eta === undefined ? {} : { eta: options.eta }),
        ...(options.strategies === undefined ? {} : { strategies: options.strategies })
      })
      rows.push(row)
      if (options.onSeed !== undefined) yield* options.onSeed(row)
    }
    const pick = (key: "team" | "ensemble" | "random") => rows.map((row) => row[key])
    return {
      task: options.task,
      unit: taskNamed(options.task, options.seed).unit,
      budget: options.budget,
      rows,
      team: meanInterval(pick("team")),
      ensemble: meanInterval(pick("ensemble")),
      random: meanInterval(pick("random")),
      difference: pairedInterval(pick("team"), pick("random")),
      ensembleDifference: pairedInterval(pick("ensemble"), pick("random"))
    } satisfies Comparison
  })
