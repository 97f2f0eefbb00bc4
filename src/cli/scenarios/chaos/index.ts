/**
 * Scenario `chaos`: supervised agents under injected crashes, then coordination protocols under the
 * seeded fault simulator (`src/sim`). For each seed it runs four parts — replica agents under a
 * supervisor taking requests while poison messages crash them; a Raft log with a proposing client;
 * a lease lock with fencing tokens; a leader election with leases — the last three for 2 s of
 * simulated crashes, restarts, partitions, drops, duplicates and reordering, then 1 s healed.
 * Invariant checkers run after every request or protocol step.
 *
 * It prints what was injected, the network's statistics and the invariants checked. A violated
 * invariant prints the last trace lines and fails the run (exit code 1). Everything runs in
 * simulated time from the seed alone: the same `--seed` prints the same report.
 *
 * `--agents` sets the replicas and the Raft and election members (3 to 9, default 5; the lock
 * gets one client fewer); `--rounds N` runs N consecutive seeds from `--seed`, one summary line each.
 *
 * @since 0.1.0
 */
import { Console, Data, Effect } from "effect"
import { Probe } from "../../../dashboard/index.ts"
import { seedNumber } from "../../seed.ts"
import type { Scenario, ScenarioOptions } from "../Scenario.ts"
import { electionPart } from "./election.ts"
import { lockPart } from "./lock.ts"
import type { ChaosPart, PartRun, PartSettings } from "./Part.ts"
import { FAULT_MILLIS, QUIET_MILLIS } from "./Part.ts"
import { raftPart } from "./raft.ts"
import { supervisionPart } from "./supervision.ts"

export type { ChaosPart, PartRun, PartSettings } from "./Part.ts"
export { electionPart } from "./election.ts"
export { lockPart } from "./lock.ts"
export { raftPart } from "./raft.ts"
export { REQUESTS, supervisionPart } from "./supervision.ts"
export { describeRun, fromSimulation, type InjectedFaults, injectedFaults } from "./report.ts"

/**
 * Every part, in the order they run.
 *
 * @since 0.1.0
 * @category utils
 */
export const parts: ReadonlyArray<ChaosPart> = [supervisionPart, raftPart, lockPart, electionPart]

/**
 * Cluster size when `--agents` is not given.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MEMBERS = 5

/**
 * Most seeds one run may cover with `--rounds`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_SEEDS = 1_000

/** Trace lines printed before a violation. */
const TAIL = 12

/**
 * A broken invariant: the part, the seed and what the checker said.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChaosViolation extends Data.TaggedError("ChaosViolation")<{
  readonly part: string
  readonly seed: number
  readonly violation: string
}> {
  override get message(): string {
    return `${this.part} broke an invariant with seed ${this.seed}: ${this.violation}`
  }
}

const detailed = (part: ChaosPart, run: PartRun): ReadonlyArray<string> => [
  `${part.name}: checks ${part.invariants.join(", ")}`,
  ...run.lines.map((line) => `  ${line}`),
  ...(run.ok ? [] : ["  last trace lines:", ...run.traceTail.slice(-TAIL).map((line) => `    ${line}`)])
]

const summary = (seed: number, runs: ReadonlyArray<readonly [ChaosPart, PartRun]>): string =>
  `seed ${seed}: ` +
  runs
    .map(([part, run]) => {
      const verdict = run.ok ? "ok" : `VIOLATED (${run.violation ?? "unknown"})`
      return `${part.name} ${verdict} (${run.faults} faults, ${run.steps} steps)`
    })
    .join(", ")

/**
 * Runs every part for each seed; prints as it goes (and shows each verdict on the dashboard);
 * fails with `ChaosViolation` at the first broken invariant.
 *
 * @since 0.1.0
 * @category utils
 */
export const runChaos = (options: ScenarioOptions, settings: { readonly broken?: boolean } = {}) =>
  Effect.gen(function* () {
    const probe = yield* Probe
    const members = options.agents ?? DEFAULT_MEMBERS
    if (!Number.isInteger(members) || members < 3 || members > 9) {
      return yield* Effect.fail(new Error(`--agents must be an integer from 3 to 9 for chaos (got ${members})`))
    }
    if (options.rounds > MAX_SEEDS) {
      return yield* Effect.fail(new Error(`--rounds must be at most ${MAX_SEEDS} for chaos (got ${options.rounds})`))
    }
    const many = options.rounds > 1
    // The simulator counts seeds: a string seed stands for its stable hash (printed, to replay).
    const first = seedNumber(options.seed)
    const last = first + options.rounds - 1
    const named = typeof options.seed === "string" ? `seed "${options.seed}" = ` : ""
    yield* Console.log(
      `chaos: ${parts.map((p) => p.name).join(", ")} with ${members} members under seeded faults; protocols get ` +
        `${FAULT_MILLIS} ms of faults then ${QUIET_MILLIS} ms healed, in simulated time (${named}${many ? `seeds ${first}..${last}` : `seed ${first}`})`
    )
    for (let seed = first; seed <= last; seed++) {
      const part: PartSettings = { seed, members, broken: settings.broken === true }
      const runs: Array<readonly [ChaosPart, PartRun]> = []
      for (const p of parts) {
        yield* probe.setPhase(`seed ${seed}: ${p.name}`)
        const run = yield* p.run(part)
        yield* probe.fact(p.name, `${run.ok ? "ok" : "VIOLATED"} with seed ${seed} (${run.steps} steps)`)
        runs.push([p, run])
        if (!many) for (const line of detailed(p, run)) yield* Console.log(line)
        if (!run.ok) {
          if (many) {
            yield* Console.log(summary(seed, runs))
            for (const line of detailed(p, run)) yield* Console.log(line)
          }
          return yield* Effect.fail(new ChaosViolation({ part: p.name, seed, violation: run.violation ?? "unknown" }))
        }
      }
      if (many) yield* Console.log(summary(seed, runs))
    }
    yield* probe.setPhase("done")
    return {
      lines: [`chaos: every invariant held (${many ? `${options.rounds} seeds` : `seed ${first}`}); replay with --seed`]
    }
  })

/**
 * Coordination protocols under seeded crashes, partitions and message faults, with invariant checks.
 *
 * @since 0.1.0
 * @category utils
 */
export const chaos: Scenario = {
  name: "chaos",
  description:
    "supervised agents, Raft, a lease lock and leader election under seeded crashes, partitions and drops; checks invariants (--rounds N: N seeds)",
  minAgents: 3,
  maxAgents: 9,
  maxRounds: MAX_SEEDS,
  run: (options) => runChaos(options)
}

/**
 * The same scenario with deliberately broken protocols, to show a violation being caught.
 *
 * @since 0.1.0
 * @category utils
 */
export const brokenChaos: Scenario = {
  name: "chaos-broken",
  description: "chaos with protocols that ignore terms, promises and leases (a violation is expected)",
  minAgents: 3,
  maxAgents: 9,
  maxRounds: MAX_SEEDS,
  run: (options) => runChaos(options, { broken: true })
}
