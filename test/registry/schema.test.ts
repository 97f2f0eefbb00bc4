import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { RegistryKey } from "../../src/registry/index.ts"
import { isRegistryKey } from "../../src/registry/schema.ts"

describe("registry schema", () => {
  const is = Schema.is(RegistryKey)

  it.prop(
    "the hand-written key guard agrees with the RegistryKey schema",
    [Schema.Union([Schema.String, Schema.Number, Schema.Null, Schema.Array(Schema.String)])],
    ([u]) => isRegistryKey(u) === is(u)
  )

  it("the key guard agrees at the length limits and on odd characters", () => {
    for (const u of [
      "",
      "a",
      "x".repeat(256),
      "x".repeat(257),
      "😀".repeat(128),
      "😀".repeat(129),
      " ",
      undefined,
      {}
    ]) {
      assert.strictEqual(isRegistryKey(u), is(u), JSON.stringify(u))
    }
  })
})
