import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { canonicalJson } from "../../src/internal/canonicalJson.ts"

const reversedKeys = (value: Schema.Json): Schema.Json => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(reversedKeys)
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((key) => [key, reversedKeys((value as Record<string, Schema.Json>)[key]!)])
  )
}

describe("canonicalJson", () => {
  it("writes sorted keys at every level and no whitespace (the bytes security signs: never change them)", () => {
    assert.strictEqual(
      canonicalJson({ b: [2, { d: 1, c: null }], a: "x", é: true, B: -0.5 }),
      '{"B":-0.5,"a":"x","b":[2,{"c":null,"d":1}],"é":true}'
    )
    assert.strictEqual(canonicalJson({ kept: undefined, list: [undefined] }), '{"kept":null,"list":[null]}')
    assert.strictEqual(canonicalJson(undefined), "null")
    assert.throws(() => canonicalJson(1n))
  })

  it.prop("is JSON that parses back to the same value", [Schema.Json], ([value]) => {
    assert.deepStrictEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)))
  })

  it.prop("does not depend on the order keys were built in", [Schema.Json], ([value]) => {
    assert.strictEqual(canonicalJson(reversedKeys(value)), canonicalJson(value))
  })
})
