/**
 * Every export of `src/` has `@since` and `@category` (`doc-tags.ts`; add missing ones with
 * `npm run tags`). The script's rewrite is checked here too: it adds what is missing, in the
 * right place, and is idempotent.
 */
import { assert, describe, it } from "@effect/vitest"
import { categoryOf, missingTags, withTags } from "./doc-tags.ts"
import { sourcesUnder } from "./sources.ts"

const sample = [
  "/** Builds one. */",
  "export const make = () => 1",
  "",
  "export interface Shape {}",
  "",
  "/**",
  " * Tagged already.",
  " *",
  " * @since 0.0.1",
  " */",
  'export class Oops extends Schema.TaggedError<Oops>()("Oops", {}) {}'
].join("\n")

describe("doc tags", () => {
  it("adds the missing tags in place and leaves present ones alone", () => {
    const tagged = withTags(sample)
    assert.deepStrictEqual(tagged.split("\n"), [
      "/**",
      " * Builds one.",
      " *",
      " * @since 0.1.0",
      " * @category constructors",
      " */",
      "export const make = () => 1",
      "",
      "/**",
      " * @since 0.1.0",
      " * @category models",
      " */",
      "export interface Shape {}",
      "",
      "/**",
      " * Tagged already.",
      " *",
      " * @since 0.0.1",
      " * @category errors",
      " */",
      'export class Oops extends Schema.TaggedError<Oops>()("Oops", {}) {}'
    ])
    assert.deepStrictEqual(missingTags("sample.ts", tagged), [])
    assert.strictEqual(withTags(tagged), tagged)
  })

  it("infers the category from the declaration", () => {
    assert.strictEqual(categoryOf("class", "Registry", " extends Context.Service<Registry, {", ""), "services")
    assert.strictEqual(categoryOf("const", "layerMemory", ": Layer.Layer<Registry> = x", ""), "layers")
    assert.strictEqual(categoryOf("const", "MAX_BATCH", " = 64", ""), "constants")
    assert.strictEqual(categoryOf("const", "BidSchema", " = Schema.Struct({", ""), "schemas")
    assert.strictEqual(categoryOf("const", "isTerminal", " = (state: State) => true", ""), "guards")
  })

  it("every export of src has @since and @category", () => {
    const missing = sourcesUnder("src")
      .flatMap(({ path, text }) => missingTags(path, text))
      .map((item) => `${item.path}:${item.line} ${item.name} (${item.tags.join(", ")})`)
    assert.deepStrictEqual(missing.slice(0, 20), [], `${missing.length} exports lack tags: run npm run tags`)
  })
})
