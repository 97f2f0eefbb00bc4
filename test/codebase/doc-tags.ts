/**
 * `@since` and `@category` on every export of `src/` (as Effect's docgen asks). `missingTags`
 * lists the exports that lack one; `withTags` returns a file's text with the missing tags added:
 * into the export's doc comment when it has one, in a new doc comment when it has none. The
 * category is inferred from the declaration (see `categoryOf`); `@since` is the package's version
 * at the time of writing, {@link since}.
 *
 * Run as a script, it rewrites `src/` in place: `npm run tags` (a mass edit: commit it alone).
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { root, sourcesUnder } from "./sources.ts"

/** The version stamped on exports that have no `@since`. */
export const since = "0.1.0"

const exportLine =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(const|let|class|function\*?|interface|type|namespace|enum)\s+([A-Za-z_$][\w$]*)(.*)$/

/** The category of an export, inferred from its kind, name and first line. */
export const categoryOf = (kind: string, name: string, rest: string, next: string): string => {
  const head = `${rest} ${next}`
  if (kind === "class") {
    if (/\bextends\s+(Schema\.TaggedError|Data\.TaggedError|Data\.Error|Error\b)/.test(head)) return "errors"
    if (/\bextends\s+Context\.(Service|Reference)/.test(head)) return "services"
    return "models"
  }
  if (kind === "interface" || kind === "type" || kind === "enum" || kind === "namespace") return "models"
  if (/^layer/.test(name) || /:\s*Layer\.Layer</.test(rest)) return "layers"
  if (/^(make|from|of|empty|unsafeMake)/.test(name) || (/^[A-Z]/.test(name) && /=\s*\w+\.make\(/.test(rest))) {
    return "constructors"
  }
  if (/^[A-Z][A-Z0-9_]+$/.test(name)) return "constants"
  if (/=\s*Schema\./.test(rest) || /Schema$/.test(name)) return "schemas"
  if (/^(is|has)[A-Z]/.test(name)) return "guards"
  return "utils"
}

/** One export that lacks a tag. */
export interface Missing {
  readonly path: string
  readonly line: number
  readonly name: string
  readonly tags: ReadonlyArray<string>
}

interface Plan {
  readonly line: number
  readonly name: string
  readonly add: ReadonlyArray<string>
  /** Index of the line holding the doc comment's closing `*\/`, or -1 when there is none. */
  readonly close: number
}

const plans = (lines: ReadonlyArray<string>): Array<Plan> =>
  lines.flatMap((line, index) => {
    const match = exportLine.exec(line)
    if (match === null) return []
    const [, kind, name, rest] = match
    let close = index - 1
    while (close >= 0 && /^\s*@/.test(lines[close]!)) close--
    const hasDoc = close >= 0 && /\*\/\s*$/.test(lines[close]!)
    let open = close
    while (hasDoc && open >= 0 && !/^\s*\/\*\*/.test(lines[open]!)) open--
    const doc = hasDoc ? lines.slice(open, close + 1).join("\n") : ""
    const add = [
      ...(/@since\b/.test(doc) ? [] : [`@since ${since}`]),
      ...(/@category\b/.test(doc) ? [] : [`@category ${categoryOf(kind!, name!, rest!, lines[index + 1] ?? "")}`])
    ]
    return add.length === 0 ? [] : [{ line: index + 1, name: name!, add, close: hasDoc ? close : -1 }]
  })

/** The exports of `text` that lack `@since` or `@category`. */
export const missingTags = (path: string, text: string): Array<Missing> =>
  plans(text.split("\n")).map((plan) => ({ path, line: plan.line, name: plan.name, tags: plan.add }))

/** `text` with every missing tag added. */
export const withTags = (text: string): string => {
  const lines = text.split("\n")
  for (const plan of plans(lines).reverse()) {
    const tags = plan.add.map((tag) => ` * ${tag}`)
    if (plan.close < 0) {
      lines.splice(plan.line - 1, 0, "/**", ...tags, " */")
      continue
    }
    const closing = lines[plan.close]!
    const single = /^(\s*)\/\*\*\s?(.*?)\s*\*\/\s*$/.exec(closing)
    if (single !== null) {
      lines.splice(
        plan.close,
        1,
        `${single[1]}/**`,
        `${single[1]} * ${single[2]}`,
        `${single[1]} *`,
        ...tags,
        `${single[1]} */`
      )
      continue
    }
    const text = /^(\s*)(.*?)\s*\*\/\s*$/.exec(closing)!
    const hasTags = /^\s*\*\s*@/.test(lines[plan.close - 1] ?? "")
    const before = text[2] === "" || text[2] === "*" ? [] : [`${text[1]}${text[2]}`]
    lines.splice(plan.close, 1, ...before, ...(hasTags ? [] : [" *"]), ...tags, " */")
  }
  return lines.join("\n")
}

if (import.meta.main) {
  let files = 0
  let tags = 0
  for (const { path, text } of sourcesUnder("src")) {
    const missing = missingTags(path, text)
    if (missing.length === 0) continue
    writeFileSync(join(root, path), withTags(text))
    files++
    tags += missing.reduce((sum, item) => sum + item.tags.length, 0)
  }
  console.log(`doc tags: added ${tags} tags in ${files} files`)
}
