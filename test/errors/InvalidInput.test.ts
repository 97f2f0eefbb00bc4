import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { decodeInput, InvalidInput } from "../../src/errors/index.ts"

describe("InvalidInput", () => {
  it.effect("decodeInput passes valid input through unchanged", () =>
    Effect.gen(function* () {
      const decode = decodeInput(Schema.Struct({ n: Schema.Number }), "Test.op")
      assert.deepStrictEqual(yield* decode({ n: 1 }), { n: 1 })
    })
  )

  it.effect("decodeInput names the boundary and every issue", () =>
    Effect.gen(function* () {
      const decode = decodeInput(Schema.Struct({ n: Schema.Number, s: Schema.String }), "Test.op")
      const error = yield* Effect.flip(decode({ n: "x", s: 2 }))
      assert.instanceOf(error, InvalidInput)
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error.where, "Test.op")
      assert.match(error.message, /^Test\.op: invalid input: /)
      assert.match(error.issue, /\["n"\]/)
      assert.match(error.issue, /\["s"\]/)
    })
  )
})
