import { assert, describe, it } from "@effect/vitest"
import { Effect, Random, Schema } from "effect"
import { makePicker } from "../../src/placement/index.ts"

const Loads = Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 50 }))).check(
  Schema.isMinLength(1),
  Schema.isMaxLength(40)
)
const identity = (n: number) => n
const seeded = (seed: string) =>
  Effect.runSync(
    Random.withSeed(
      Effect.gen(function* () {
        return yield* Random.Random
      }),
      seed
    )
  )

describe("pickers", () => {
  it.prop("least-loaded never picks a strictly longer queue when a shorter one is eligible", [Loads], ([loads]) => {
    const picker = makePicker("least-loaded", { load: identity }, seeded("p"))
    const chosen = loads[picker.pick(loads)]
    assert.isDefined(chosen)
    for (const load of loads) assert.isFalse(load < chosen!, `picked ${chosen} while ${load} was eligible`)
  })

  it.prop("power-of-two never picks the most loaded of two distinct choices when they differ", [Loads], ([loads]) => {
    const picker = makePicker("power-of-two", { load: identity }, seeded("q"))
    const index = picker.pick(loads)
    assert.isTrue(index >= 0 && index < loads.length)
    if (loads.length >= 2 && new Set(loads).size === loads.length) {
      assert.notStrictEqual(loads[index], Math.max(...loads), "the heaviest loses every pair")
    }
  })

  it.prop("round-robin visits every candidate once per cycle", [Loads], ([loads]) => {
    const picker = makePicker("round-robin", { load: identity }, seeded("r"))
    const seen = Array.from({ length: loads.length * 2 }, () => picker.pick(loads))
    assert.deepStrictEqual(seen, [...loads.keys(), ...loads.keys()])
  })

  it.prop("capability-match picks the least surplus, then the least load", [Loads, Loads], ([loads, surpluses]) => {
    const candidates = loads.map((load, i) => ({ load, surplus: surpluses[i % surpluses.length]! }))
    const picker = makePicker<{ load: number; surplus: number }>(
      "capability-match",
      { load: (c) => c.load, surplus: (c) => c.surplus },
      seeded("c")
    )
    const chosen = candidates[picker.pick(candidates)]!
    for (const c of candidates) {
      assert.isFalse(c.surplus < chosen.surplus || (c.surplus === chosen.surplus && c.load < chosen.load))
    }
  })

  it("random replays under the same seed and covers the range", () => {
    const draw = (seed: string) => {
      const picker = makePicker("random", { load: identity }, seeded(seed))
      return Array.from({ length: 200 }, () => picker.pick([0, 0, 0, 0]))
    }
    assert.deepStrictEqual(draw("s1"), draw("s1"))
    assert.notDeepEqual(draw("s1"), draw("s2"))
    assert.deepStrictEqual([...new Set(draw("s1"))].sort(), [0, 1, 2, 3])
  })

  it("every strategy returns -1 when there is no candidate", () => {
    for (const strategy of ["round-robin", "random", "least-loaded", "power-of-two", "capability-match"] as const) {
      assert.strictEqual(makePicker(strategy, { load: identity }, seeded("e")).pick([]), -1)
    }
  })
})
