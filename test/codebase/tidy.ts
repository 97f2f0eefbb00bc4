/**
 * The tidy rules (after TigerBeetle's tidy check), measured per file of `src/`:
 * - `longLines`: lines longer than {@link limits.lineLength} columns;
 * - `longFunctions`: functions (arrows with a block body, `function`, `function*`, methods)
 *   spanning more than {@link limits.functionLength} lines;
 * - `longFile`: 1 when the file has more than {@link limits.fileLength} lines of code (blank lines
 *   and comments are not counted, so documenting a file never makes it too long);
 * - `shortNames`: one-letter names bound by `const` / `let` / `var`, by a `function`'s parameters or
 *   by the parameters of an arrow with a block body (a one-line lambda such as `(a, b) => a - b` is
 *   tiny and may use them; so may a `for` loop's counter).
 *
 * It is a line scanner, not a parser (the repository's TypeScript 7 has no JS API): strings and
 * comments are blanked before braces are counted, which is exact for this codebase's style and
 * errs towards under-counting elsewhere. Used by `tidy.test.ts` and `tidy-ratchet.ts`.
 */
import { isCommentLine, sourcesUnder } from "./sources.ts"

/** The limits. */
export const limits = { lineLength: 120, functionLength: 70, fileLength: 400 } as const

/** A rule's name. */
export type Rule = "longLines" | "longFunctions" | "longFile" | "shortNames"

/** The rules, in report order. */
export const rules: ReadonlyArray<Rule> = ["longLines", "longFunctions", "longFile", "shortNames"]

/** Violation counts of one file, by rule (a rule with none is absent). */
export type Counts = Partial<Record<Rule, number>>

/** One violation, for the report. */
export interface Violation {
  readonly path: string
  readonly rule: Rule
  readonly line: number
  readonly detail: string
}

/** Blanks string literals and comments of `line` so braces and names in them are not counted. */
const code = (line: string, state: { inBlockComment: boolean }): string => {
  let out = ""
  let index = 0
  while (index < line.length) {
    if (state.inBlockComment) {
      const end = line.indexOf("*/", index)
      if (end < 0) return out
      state.inBlockComment = false
      index = end + 2
      continue
    }
    const char = line[index]!
    if (char === "/" && line[index + 1] === "/") return out
    if (char === "/" && line[index + 1] === "*") {
      state.inBlockComment = true
      index += 2
      continue
    }
    if (char === '"' || char === "'" || char === "`") {
      let end = index + 1
      while (end < line.length && line[end] !== char) end += line[end] === "\\" ? 2 : 1
      out += char + char
      index = end + 1
      continue
    }
    out += char
    index++
  }
  return out
}

const opensFunction =
  /(=>\s*\{|\bfunction\b[^;]*\{|^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*\*?[A-Za-z_$][\w$]*\s*(?:<[^>]*>)?\([^;]*\)\s*(?::[^;=]*)?\{)\s*$/
const keywordHead = /^\s*(?:if|for|while|switch|catch|else if|with|return)\b/
const declaredName = /\b(?:const|let|var)\s+([A-Za-z])\s*[:=]/g
const functionParams = /\bfunction\*?\s*[\w$]*\s*(?:<[^>]*>)?\(([^)]*)\)/g
const blockArrowParams = /(?:\(([^()]*)\)|\b([A-Za-z_$][\w$]*))\s*(?::\s*[^=]+)?=>\s*\{\s*$/

const withoutTypeArguments = (text: string): string => {
  let out = text
  for (let previous = ""; previous !== out; ) {
    previous = out
    out = out.replace(/<[^<>]*>/g, "")
  }
  return out
}

const oneLetter = (params: string): Array<string> =>
  withoutTypeArguments(params)
    .split(",")
    .map((param) =>
      param
        .trim()
        .replace(/[?]?\s*:.*$/, "")
        .replace(/\s*=.*$/, "")
        .replace(/^\.\.\./, "")
    )
    .filter((name) => /^[A-Za-z]$/.test(name))

/** The violations of one file. */
export const check = (path: string, text: string): Array<Violation> => {
  const lines = text.split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  const violations: Array<Violation> = []
  const add = (rule: Rule, line: number, detail: string) => violations.push({ path, rule, line, detail })
  const codeLines = lines.filter((line) => line.trim() !== "" && !isCommentLine(line)).length
  if (codeLines > limits.fileLength) add("longFile", lines.length, `${codeLines} lines of code`)
  const state = { inBlockComment: false }
  const open: Array<{ readonly start: number; readonly depth: number }> = []
  let depth = 0
  lines.forEach((raw, index) => {
    const number = index + 1
    if (raw.length > limits.lineLength) add("longLines", number, `${raw.length} columns`)
    const line = code(raw, state)
    if (!/^\s*for\s*\(/.test(line)) {
      for (const match of line.matchAll(declaredName)) add("shortNames", number, `\`${match[1]}\``)
    }
    for (const match of line.matchAll(functionParams)) {
      for (const name of oneLetter(match[1]!)) add("shortNames", number, `parameter \`${name}\``)
    }
    const arrow = blockArrowParams.exec(line)
    if (arrow !== null) {
      for (const name of oneLetter(arrow[1] ?? arrow[2] ?? "")) add("shortNames", number, `parameter \`${name}\``)
    }
    if (opensFunction.test(line) && !keywordHead.test(line)) open.push({ start: number, depth })
    for (const char of line) {
      if (char === "{") depth++
      else if (char === "}") {
        depth--
        const top = open[open.length - 1]
        if (top !== undefined && depth === top.depth) {
          open.pop()
          const span = number - top.start + 1
          if (span > limits.functionLength) add("longFunctions", top.start, `${span} lines`)
        }
      }
    }
  })
  return violations
}

/** Every violation in `src/`. */
export const violations = (): Array<Violation> => sourcesUnder("src").flatMap(({ path, text }) => check(path, text))

/** Counts per file and rule. */
export const countsOf = (all: ReadonlyArray<Violation>): Record<string, Counts> => {
  const counts: Record<string, Counts> = {}
  for (const violation of all) {
    const file = (counts[violation.path] ??= {})
    file[violation.rule] = (file[violation.rule] ?? 0) + 1
  }
  return counts
}

/** Where the ratchet (today's allowed counts) is kept. */
export const ratchetPath = new URL("./tidy-ratchet.json", import.meta.url)
