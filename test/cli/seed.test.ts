/** Seeds are strings or numbers everywhere, with one default ("mabeam", as for `npm start`). */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { DEFAULT_SEED, parseSeed, seedNumber } from "../../src/cli/index.ts"
import { runCli } from "./helpers.ts"

describe("--seed", () => {
  it("an integer is a number, any other non-blank text is itself, blank is refused", () => {
    assert.strictEqual(parseSeed("7"), 7)
    assert.strictEqual(parseSeed("-3"), -3)
    assert.strictEqual(parseSeed("mabeam"), "mabeam")
    assert.strictEqual(parseSeed("1e3"), "1e3")
    assert.strictEqual(parseSeed("99999999999999999999"), "99999999999999999999")
    assert.isUndefined(parseSeed("  "))
    assert.strictEqual(DEFAULT_SEED, "mabeam")
  })

  it("a string seed counts as a stable integer where seeds are counted", () => {
    assert.strictEqual(seedNumber(42), 42)
    assert.strictEqual(seedNumber("mabeam"), seedNumber("mabeam"))
    assert.notStrictEqual(seedNumber("mabeam"), seedNumber("mabeam2"))
    assert.isTrue(Number.isSafeInteger(seedNumber("mabeam")) && seedNumber("mabeam") >= 0)
  })

  it.live('a word seed replays the same run, the default is "mabeam", and a blank seed is a usage error', () =>
    Effect.gen(function* () {
      const first = yield* runCli(["run", "auction", "--seed", "mabeam"])
      const again = yield* runCli(["run", "auction", "--seed", "mabeam"])
      const byDefault = yield* runCli(["run", "auction"])
      assert.strictEqual(first.code, 0, first.err)
      assert.include(first.out, "(seed mabeam)")
      assert.strictEqual(again.out, first.out)
      assert.strictEqual(byDefault.out, first.out)
      const blank = yield* runCli(["run", "auction", "--seed", " "])
      assert.strictEqual(blank.code, 2)
      assert.include(blank.err, "--seed")
    })
  )

  it.live("run chaos --seed mabeam runs the seed's stable number and prints it to replay", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "chaos", "--seed", "mabeam"])
      assert.strictEqual(result.code, 0, result.err)
      assert.include(result.out, `seed "mabeam" = seed ${seedNumber("mabeam")}`)
    })
  )
})
