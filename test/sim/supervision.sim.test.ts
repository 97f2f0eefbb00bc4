/**
 * Supervision trees and the agent system under seeded faults (scenarios in `supervision/`), with
 * their checkers. CI runs a bounded sample; more seeds on demand:
 *   MABEAM_SIM_SEEDS=2000 npm run sim:supervision      (seeds 1..2000)
 *   MABEAM_SIM_SEED=417 npm run sim:supervision        (replays one seed, printing its trace)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { agentsScenario } from "./supervision/agents.ts"
import { intensityViolations, treeScenario } from "./supervision/tree.ts"

const only = process.env["MABEAM_SIM_SEED"]
const count = Number(process.env["MABEAM_SIM_SEEDS"] ?? 300)
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: count }, (_, index) => index + 1)

/**
 * Seeds (of 1..300) whose violations are open findings against src/supervision, for its owner:
 * each must still fail (a fix removes its entry), and no other seed may. None open.
 */
const findings: Record<number, string> = {}

const report = (name: string, run: { seed: number; violations: ReadonlyArray<string>; trace: ReadonlyArray<string> }) =>
  `${name} seed ${run.seed} (replay: MABEAM_SIM_SEED=${run.seed} npm run sim:supervision):\n` +
  `${run.violations.join("\n")}\n-- trace (last 25) --\n${run.trace.slice(-25).join("\n")}`

describe("supervision trees under seeded faults", () => {
  it.effect(
    `restarts stay within intensity, failed starts and name clashes change nothing, a stopped tree runs nothing: ${seeds.length} seeds`,
    () =>
      Effect.gen(function* () {
        let restarts = 0
        let gaveUp = 0
        for (const seed of seeds) {
          const run = yield* treeScenario(seed, only === undefined ? {} : { live: (line) => console.log(line) })
          if (findings[seed] !== undefined) {
            assert.isAbove(
              run.violations.length,
              0,
              `seed ${seed} (${findings[seed]}) passes now: remove it from the findings`
            )
          } else {
            assert.deepStrictEqual(run.violations, [], report("tree", run))
          }
          restarts += run.restarts
          if (run.gaveUp) gaveUp++
        }
        if (only === undefined) {
          assert.isAbove(restarts, seeds.length, "the schedule must make supervisors restart children")
          assert.isAbove(gaveUp, 0, "some seeds must drive a root past its intensity")
        }
      }),
    120_000
  )

  it.effect("crash during shutdown: a stop that dies is killed instead, and shutdown completes", () =>
    Effect.gen(function* () {
      let stopsDied = 0
      for (let seed = 1; seed <= 60; seed++) {
        const run = yield* treeScenario(seed, { stopsDie: true })
        if (findings[seed] === undefined) assert.deepStrictEqual(run.violations, [], report("tree (stops die)", run))
        stopsDied += run.trace.filter((line) => line.includes("stop-crash")).length
      }
      assert.isAbove(stopsDied, 0, "the schedule must make stops die during shutdown")
    })
  )

  it.effect("a seed replays: the same seed gives the same trace", () =>
    Effect.gen(function* () {
      const first = yield* treeScenario(7)
      const second = yield* treeScenario(7)
      assert.deepStrictEqual(second.trace, first.trace)
      const other = yield* treeScenario(8)
      assert.notDeepEqual(other.trace, first.trace)
    })
  )

  it("the intensity checker catches restarts beyond the limit, and forgives the decision that gave up", () => {
    const limits = new Map([["root#1", { maxRestarts: 2, withinMillis: 1000 }]])
    const at = (time: number, gaveUp = false) => ({ instance: "root#1", time, gaveUp })
    assert.deepStrictEqual(intensityViolations([at(0), at(500)], limits), [])
    assert.deepStrictEqual(intensityViolations([at(0), at(1000), at(1999)], limits), [])
    assert.deepStrictEqual(intensityViolations([at(0), at(400), at(999), at(999, true)], limits), [])
    assert.lengthOf(intensityViolations([at(0), at(400), at(999)], limits), 1)
  })
})

describe("the agent system under seeded faults", () => {
  const agentSeeds = only !== undefined ? seeds : seeds.slice(0, Math.max(1, Math.floor(seeds.length / 3)))

  it.effect(
    `no message is lost without a dead-letter count; failed starts, clashes and stopped systems leave nothing: ${agentSeeds.length} seeds`,
    () =>
      Effect.gen(function* () {
        let deadLetters = 0
        let failedSpawns = 0
        for (const seed of agentSeeds) {
          const run = yield* agentsScenario(seed)
          if (only !== undefined) console.log(run.trace.join("\n"))
          assert.deepStrictEqual(run.violations, [], report("agents", run))
          deadLetters += run.deadLetters
          failedSpawns += run.failedSpawns
        }
        if (only === undefined) {
          assert.isAbove(deadLetters, 0, "the schedule must produce dead letters")
          assert.isAbove(failedSpawns, 0, "the schedule must crash starts and clash names")
        }
      }),
    120_000
  )

  it.effect("a handler that forgets messages is caught by the dead-letter checker", () =>
    Effect.gen(function* () {
      const runs = []
      for (let seed = 1; seed <= 10; seed++) runs.push(yield* agentsScenario(seed, { forgetEvery: 3 }))
      assert.isTrue(runs.some((run) => run.violations.some((violation) => violation.startsWith("messages lost"))))
    })
  )
})
