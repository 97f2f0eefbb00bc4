/**
 * The cluster demo (`npm run cluster:demo`): a part of the flagship team spread over runner
 * processes on loopback.
 *
 * `runClusterDemo` starts `runners` runner processes on 127.0.0.1 sharing one SQL storage (a SQLite
 * file in a temporary directory, or Postgres when `MABEAM_PG_URL` is set), joins the cluster as a
 * client-only node that plays the coordinator, and hands `trials` seeded hyperparameter draws to
 * `agents` flagship workers (`worker-0`, ...). The workers are cluster agents: each one lives on
 * the runner that holds its shard, cross-validates iris models there and saves its state in the
 * storage. The report says which runner served which worker, every score and the best one. All
 * processes are stopped before the effect completes.
 *
 * Scores depend only on the seed and the trial number (the flagship worker seeds its folds and
 * forests with them), never on where a worker ran.
 *
 * With `team`, the whole flagship team runs instead of the fixed draws: the strategists bid in
 * second-price auctions for evaluation slots from their ledger budgets, the coordinator owns the
 * study, and the workers they buy time on are these cluster agents (`runTuning` with a worker
 * pool). Strategists, auctions, ledger and coordinator live in the client process; seeded chaos
 * kills workers mid-training, their trial runs again on another worker and the killed worker
 * comes back on its runner at its next message. The report adds the flagship's summary.
 *
 * @since 0.2.0
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Random, Schedule } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { AuctionHouse, Ledger } from "../../src/economics/index.ts"
import { describeAssignment } from "../flagship/ensemble.ts"
import { formatReport } from "../flagship/format.ts"
import { runTuning, type TuningReport } from "../flagship/tuning.ts"
import { Orchestrator } from "../../src/variables/index.ts"
import { irisSpace } from "../ml/index.ts"
import { type Assignment, sample } from "../../src/variables/index.ts"
import { ClusterStorage } from "../../src/cluster/index.ts"
import { type RunnerProcess, startRunnerProcess } from "./processes.ts"
import { clientLayer, DemoWorker, RunnerProbe, Train, Where } from "./team.ts"

/** Options of the demo. */
export interface ClusterDemoOptions {
  /** Runner processes; default 3. */
  readonly runners?: number | undefined
  /** Worker agents; default 9. */
  readonly agents?: number | undefined
  /** Hyperparameter draws to evaluate; default twice the agents. */
  readonly trials?: number | undefined
  /** The run seed; default `"mabeam"`. */
  readonly seed?: string | undefined
  /** Run the whole flagship team (strategists, auctions, coordinator) on the cluster workers. */
  readonly team?: boolean | undefined
  /** With `team`: auction rounds (default 4). */
  readonly rounds?: number | undefined
  /** A SQLite file or a `postgres://` URL; default `MABEAM_PG_URL`, else a SQLite file in a temp dir. */
  readonly storage?: string | undefined
  /** Called with a line of progress. */
  readonly onProgress?: ((line: string) => Effect.Effect<void>) | undefined
  /** Called with each line a runner writes on stderr (its warnings and errors), with its name. */
  readonly onRunnerStderr?: ((runner: string, line: string) => void) | undefined
}

/** One evaluated draw. */
export interface DemoTrial {
  readonly trial: number
  readonly agent: string
  readonly model: string
  readonly assignment: Assignment
  readonly accuracy: number
}

/** What the demo did. */
export interface ClusterDemoReport {
  readonly seed: string
  /** The storage, without credentials. */
  readonly storage: string
  readonly runners: ReadonlyArray<RunnerProcess>
  /** Each worker with the runner that served it and its trials. */
  readonly agents: ReadonlyArray<{
    readonly id: string
    readonly runner: string
    readonly trials: ReadonlyArray<DemoTrial>
  }>
  /** The best trial (absent with `team`: see `tuning`). */
  readonly best: DemoTrial | undefined
  /** With `team`: the flagship's report. */
  readonly tuning: TuningReport | undefined
  /** Starting the runners, until the placement of the workers was stable. */
  readonly startMillis: number
  /** Evaluating every trial. */
  readonly runMillis: number
}

/** The draw of trial `trial` of run `seed`. */
export const drawOf = (seed: string, trial: number): Effect.Effect<Assignment> =>
  sample(irisSpace).pipe(Random.withSeed(`${seed}-draw-${trial}`))

const tempStorage = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-cluster-demo-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => join(dir, "cluster.sqlite")))

/** Runs the demo; every process it started is stopped when it completes. */
export const runClusterDemo = (options: ClusterDemoOptions = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const runnerCount = Math.max(1, options.runners ?? 3)
      const agentCount = Math.max(1, options.agents ?? 9)
      const trialCount = Math.max(1, options.trials ?? agentCount * 2)
      const seed = options.seed ?? "mabeam"
      const progress = options.onProgress ?? (() => Effect.void)
      const storage = options.storage ?? process.env["MABEAM_PG_URL"] ?? (yield* tempStorage)
      const started = Date.now()

      // The coordinator's node joins first: it creates the cluster tables, so the runners can start together.
      const client = yield* Layer.build(clientLayer.pipe(Layer.provide(ClusterStorage.layer(storage))))
      yield* progress(
        `starting ${runnerCount} runner processes on 127.0.0.1, storage: ${ClusterStorage.describe(storage)}`
      )
      const names = Array.from({ length: runnerCount }, (_, i) => `runner-${i + 1}`)
      const runners = yield* Effect.forEach(
        names,
        (name) => startRunnerProcess({ name, seed, storage, onStderr: (line) => options.onRunnerStderr?.(name, line) }),
        { concurrency: "unbounded" }
      )
      for (const runner of runners) yield* progress(`  ${runner.name}: 127.0.0.1:${runner.port}, pid ${runner.pid}`)

      const workers = yield* Effect.provideContext(DemoWorker(seed).client, client)
      const probes = yield* Effect.provideContext(RunnerProbe("client").client, client)
      const ids = Array.from({ length: agentCount }, (_, i) => `worker-${i}`)
      const placement = Effect.forEach(ids, (id) => probes(id).ask(Where.make({}), { timeout: "5 seconds" }), {
        concurrency: "unbounded"
      }).pipe(Effect.map((where) => where.join(",")))

      // Runners joining move shards around: wait until three polls in a row agree.
      let last = ""
      let agreeing = 0
      yield* placement.pipe(
        Effect.tap((now) =>
          Effect.sync(() => {
            agreeing = now === last ? agreeing + 1 : 0
            last = now
          })
        ),
        Effect.repeat({ until: () => agreeing >= 2, schedule: Schedule.spaced("500 millis") }),
        Effect.timeoutOrElse({ duration: "30 seconds", orElse: () => Effect.void })
      )
      const startMillis = Date.now() - started
      yield* progress(
        `cluster ready in ${startMillis} ms; ${agentCount} workers, ${
          options.team === true
            ? `the flagship team, ${Math.max(1, options.rounds ?? 4)} rounds`
            : `${trialCount} trials`
        }, seed "${seed}"`
      )

      const runStarted = Date.now()
      const runTrials = Effect.forEach(
        Array.from({ length: trialCount }, (_, trial) => trial),
        (trial) =>
          Effect.gen(function* () {
            const agent = ids[trial % agentCount]!
            const assignment = yield* drawOf(seed, trial)
            // A trial is replayable (same seed, same score): ask again if the worker's runner went away.
            const { accuracy } = yield* workers(agent)
              .ask(Train.make({ trial, assignment }), { timeout: "60 seconds" })
              .pipe(
                Effect.retry({
                  times: 3,
                  while: (error) => error._tag === "AgentStopped" && error.reason === "runner-unavailable"
                })
              )
            const done: DemoTrial = { trial, agent, model: describeAssignment(assignment), assignment, accuracy }
            yield* progress(`  trial ${trial}: ${agent} ${done.model} -> ${(accuracy * 100).toFixed(1)}%`)
            return done
          }),
        { concurrency: agentCount }
      )
      // The team's strategists, auctions, ledger and coordinator run here; its workers on the runners.
      const runTeam = runTuning({
        seed,
        rounds: Math.max(1, options.rounds ?? 4),
        pool: {
          workers: ids.map((id) => ({ id, ask: (request, askOptions) => workers(id).ask(request, askOptions) })),
          revivedBy: "their runner"
        },
        advance: (millis) => Effect.sleep(millis),
        onRound: (round) =>
          progress(
            `  round ${round.round}/${round.rounds}: ${round.trials} trials, best ${
              round.best === undefined ? "-" : `${(round.best * 100).toFixed(1)}% (${round.strategy})`
            }`
          )
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            AgentSystem.layer,
            AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
            Orchestrator.layer
          )
        )
      )
      const tuning = options.team === true ? yield* runTeam : undefined
      const trials = options.team === true ? [] : yield* runTrials
      const runMillis = Date.now() - runStarted

      const servedBy = yield* Effect.forEach(ids, (id) => probes(id).ask(Where.make({}), { timeout: "5 seconds" }))
      const best = trials.reduce<DemoTrial | undefined>(
        (a, b) => (a === undefined || b.accuracy > a.accuracy ? b : a),
        undefined
      )
      const report: ClusterDemoReport = {
        seed,
        storage: ClusterStorage.describe(storage),
        runners,
        agents: ids.map((id, i) => ({ id, runner: servedBy[i]!, trials: trials.filter((t) => t.agent === id) })),
        best,
        tuning,
        startMillis,
        runMillis
      }
      return report
    })
  )

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

/** The report as printed by `npm run cluster:demo`. */
export const formatClusterDemo = (report: ClusterDemoReport): string => {
  const percent = (accuracy: number) => `${(accuracy * 100).toFixed(1)}%`
  const lines = [
    `cluster demo, seed "${report.seed}", ${report.storage}`,
    `runners: ${report.runners.map((r) => `${r.name} (127.0.0.1:${r.port})`).join(", ")}`,
    "which runner served which agent:"
  ]
  for (const agent of report.agents) {
    const best = agent.trials.reduce<DemoTrial | undefined>(
      (a, b) => (a === undefined || b.accuracy > a.accuracy ? b : a),
      undefined
    )
    lines.push(
      report.tuning !== undefined
        ? `  ${agent.id} on ${agent.runner}`
        : `  ${agent.id} on ${agent.runner}: ${plural(agent.trials.length, "trial")}${
            best === undefined ? "" : `, best ${percent(best.accuracy)} ${best.model}`
          }`
    )
  }
  for (const runner of report.runners) {
    const served = report.agents.filter((a) => a.runner === runner.name).map((a) => a.id)
    lines.push(
      `  ${runner.name} served ${plural(served.length, "agent")}${served.length === 0 ? "" : `: ${served.join(", ")}`}`
    )
  }
  if (report.best !== undefined) {
    lines.push(
      `best: ${percent(report.best.accuracy)} ${report.best.model} (trial ${report.best.trial}, ${report.best.agent})`
    )
  }
  if (report.tuning !== undefined) lines.push("", formatReport(report.tuning), "")
  const trials = report.tuning?.trials ?? report.agents.reduce((n, a) => n + a.trials.length, 0)
  lines.push(`timing: cluster up in ${report.startMillis} ms, ${trials} trials in ${report.runMillis} ms`)
  return lines.join("\n")
}
