import { assert, describe, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { fromCsv, generateSpirals, spirals, spiralsCsvText, spiralsPath, toCsv } from "../../apps/ml/index.ts"

const shippedPath = spiralsPath

describe("the spirals dataset", () => {
  // Set UPDATE_SPIRALS=1 to rewrite the shipped file after changing the generator on purpose.
  it.effect("the shipped file is exactly what the seeded generator produces", () =>
    Effect.gen(function* () {
      const expected = yield* spiralsCsvText
      if (process.env["UPDATE_SPIRALS"] === "1") writeFileSync(shippedPath, expected)
      assert.strictEqual(readFileSync(shippedPath, "utf8"), expected)
    })
  )

  it("has 600 training and 300 validation rows, both classes in each", () => {
    const { train, validation } = spirals()
    assert.deepStrictEqual([train.n, validation.n, train.d], [600, 300, 5])
    for (const part of [train, validation]) {
      const ones = part.y.reduce((n, y) => n + y, 0) / part.n
      assert.isTrue(ones > 0.4 && ones < 0.6, `share of class 1: ${ones}`)
    }
  })

  it.effect("CSV round-trips to 4 decimals", () =>
    Effect.gen(function* () {
      const data = yield* generateSpirals({ rows: 50 }).pipe(Random.withSeed("csv"))
      const back = fromCsv(toCsv(data))
      assert.deepStrictEqual(back.features, data.features)
      assert.deepStrictEqual(back.y, data.y)
      data.x.forEach((v, i) => assert.closeTo(back.x[i]!, v, 5e-5))
    })
  )

  it("malformed CSV is reported with its line", () => {
    assert.throws(() => fromCsv("a,b,label\n1,2,0\n1,2\n"), "CSV line 3: expected 3 cells, got 2")
    assert.throws(() => fromCsv("a,label\n1,7\n"), "CSV line 2: label must be 0 or 1, got 7")
  })
})
