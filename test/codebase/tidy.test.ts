/**
 * Style is itself a test. `tidy.ts` measures line length, function length, file length and
 * one-letter names in `src/`; `tidy-ratchet.json` holds today's violations per file. A file may
 * not get worse than its entry, and a file that got better must have its entry lowered
 * (`npm run tidy:ratchet`), so the allowlist only shrinks.
 */
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { check, type Counts, countsOf, ratchetPath, rules, violations } from "./tidy.ts"

const ratchet: Record<string, Counts> = JSON.parse(readFileSync(ratchetPath, "utf8"))
const all = violations()
const current = countsOf(all)

describe("tidy", () => {
  it("the scanner finds each kind of violation, and none in tidy code", () => {
    const long = "x".repeat(121)
    const body = Array.from({ length: 71 }, () => "  step()").join("\n")
    const text = [
      `const line = "${long}"`,
      `export const big = () => {\n${body}\n}`,
      "const s = 1",
      "const pick = (a, b) => {\n  return a\n}",
      "const tiny = (a, b) => a - b",
      "for (let i = 0; i < 3; i++) tiny(i, i)",
      'const brace = "{ not a block"'
    ].join("\n")
    const found = check("sample.ts", text).map((violation) => `${violation.rule}:${violation.line}`)
    assert.deepStrictEqual(found, ["longLines:1", "longFunctions:2", "shortNames:75", "shortNames:76", "shortNames:76"])
    const padding = Array.from({ length: 401 }, () => "step()").join("\n")
    assert.deepStrictEqual(
      check("big.ts", padding).map((violation) => violation.rule),
      ["longFile"]
    )
    const documented = Array.from({ length: 400 }, () => " * prose\nstep()").join("\n")
    assert.deepStrictEqual(check("documented.ts", documented), [])
  })

  it("no file of src has more violations than its ratchet entry", () => {
    const worse = Object.entries(current).flatMap(([path, counts]) =>
      rules
        .filter((rule) => (counts[rule] ?? 0) > (ratchet[path]?.[rule] ?? 0))
        .map(
          (rule) =>
            `${path} ${rule}: ${counts[rule]} > ${ratchet[path]?.[rule] ?? 0} — ` +
            all
              .filter((violation) => violation.path === path && violation.rule === rule)
              .map((violation) => `${violation.line} (${violation.detail})`)
              .join(", ")
        )
    )
    assert.deepStrictEqual(worse, [], "fix these, see test/codebase/tidy.ts for the limits")
  })

  it("the ratchet holds no count above today's (lower it with npm run tidy:ratchet)", () => {
    const slack = Object.entries(ratchet).flatMap(([path, counts]) =>
      rules
        .filter((rule) => (counts[rule] ?? 0) > (current[path]?.[rule] ?? 0))
        .map((rule) => `${path} ${rule}: allowed ${counts[rule]}, now ${current[path]?.[rule] ?? 0}`)
    )
    assert.deepStrictEqual(slack, [])
  })
})
