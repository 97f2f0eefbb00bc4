/**
 * Extracts every `@example` block of `src/` and writes each one as a module that `tsc` can check
 * (under `test-results/examples/`, git-ignored). An example is compiled as a user would write it:
 * `mabeam` and `mabeam/<capability>` resolve to `src/`. For brevity an example may leave out
 * - its imports: without any `import` line, it gets the common `effect` modules, every export of
 *   its own file and every export of its own capability (the `index.ts` of its folder);
 * - its `Effect.gen`: an example that uses `yield*` outside any generator is wrapped in one.
 * Every name it uses must still be bound by the example itself: a fragment that uses a variable
 * it never declares does not compile, on purpose (declare it, e.g. `const registry = yield* Registry`).
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { root, sourcesUnder } from "./sources.ts"

/** One `@example` block. `id` is `path:line` of its `@example` tag. */
export interface Example {
  readonly id: string
  readonly path: string
  readonly line: number
  readonly code: string
}

/** Every `@example` block of `src/`, in file order. */
export const examples = (): Array<Example> =>
  sourcesUnder("src").flatMap(({ path, text }) => {
    const lines = text.split("\n")
    const found: Array<Example> = []
    lines.forEach((line, index) => {
      if (!/^\s*\*\s*@example\b/.test(line)) return
      const open = lines.findIndex((candidate, at) => at > index && /^\s*\*\s*```/.test(candidate))
      if (open < 0) return
      const close = lines.findIndex((candidate, at) => at > open && /^\s*\*\s*```\s*$/.test(candidate))
      if (close < 0) return
      const body = lines.slice(open + 1, close).map((bodyLine) => bodyLine.replace(/^\s*\*( |$)/, ""))
      found.push({ id: `${path}:${index + 1}`, path, line: index + 1, code: body.join("\n") })
    })
    return found
  })

const effectPrelude = [
  "Cause",
  "Context",
  "Data",
  "Duration",
  "Effect",
  "Exit",
  "Fiber",
  "Layer",
  "Match",
  "Option",
  "Queue",
  "Random",
  "Ref",
  "Result",
  "Schedule",
  "Schema",
  "Scope",
  "Stream"
]

const exportedNames = (file: string, seen: Set<string> = new Set()): Array<string> => {
  if (seen.has(file) || !existsSync(file)) return []
  seen.add(file)
  const text = readFileSync(file, "utf8")
  const names: Array<string> = []
  const declared =
    /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|class|function\*?|interface|type|namespace|enum)\s+([A-Za-z_$][\w$]*)/gm
  for (const match of text.matchAll(declared)) names.push(match[1]!)
  for (const match of text.matchAll(/^export\s+\*\s+as\s+([\w$]+)\s+from/gm)) names.push(match[1]!)
  for (const match of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop()!
        .trim()
      if (name !== "") names.push(name)
    }
  }
  for (const match of text.matchAll(/^export\s+\*\s+from\s+"(\.[^"]+)"/gm)) {
    names.push(...exportedNames(join(dirname(file), match[1]!), seen))
  }
  return names
}

/** The module text `tsc` checks for `example`. */
const moduleOf = (example: Example): string => {
  const lines = example.code.split("\n")
  const imports = lines.filter((line) => /^import\b/.test(line))
  const body = lines.filter((line) => !/^import\b/.test(line))
  const head: Array<string> = []
  if (imports.length === 0) {
    head.push(`import { ${effectPrelude.join(", ")} } from "effect"`)
    const capability = example.path.split("/")[1]!
    const index = join(root, "src", capability, "index.ts")
    const inFile = [...new Set(exportedNames(join(root, example.path)))].filter((name) => !effectPrelude.includes(name))
    const own = [...new Set(exportedNames(index))].filter(
      (name) => !effectPrelude.includes(name) && !inFile.includes(name)
    )
    if (inFile.length > 0) head.push(`import { ${inFile.sort().join(", ")} } from "../../${example.path}"`)
    if (own.length > 0) head.push(`import { ${own.sort().join(", ")} } from "../../src/${capability}/index.ts"`)
  }
  const code = body.join("\n")
  const wrapped =
    /\byield\*/.test(code) && !/function\*/.test(code)
      ? `export const example = Effect.gen(function*() {\n${code}\n})`
      : code
  return [`// ${example.id}`, ...head, ...imports, wrapped, "export {}", ""].join("\n")
}

/** Where the modules are written. */
export const outDir = join(root, "test-results", "examples")

/**
 * Writes one module per example and a `tsconfig.json` that checks them all; returns the module
 * file name of each example, by id.
 */
export const writeExamples = (all: ReadonlyArray<Example>): Map<string, string> => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const files = new Map<string, string>()
  all.forEach((example, index) => {
    const name = `example-${String(index).padStart(3, "0")}.ts`
    writeFileSync(join(outDir, name), moduleOf(example))
    files.set(example.id, name)
  })
  writeFileSync(
    join(outDir, "tsconfig.json"),
    JSON.stringify(
      {
        extends: "../../tsconfig.json",
        compilerOptions: {
          paths: { mabeam: ["../../src/index.ts"], "mabeam/*": ["../../src/*/index.ts"] },
          noUnusedLocals: false,
          verbatimModuleSyntax: false,
          isolatedModules: false
        },
        include: ["*.ts"],
        exclude: []
      },
      null,
      2
    )
  )
  return files
}

/** The ids of the examples that do not compile, with their first error. */
export const brokenExamples = (all: ReadonlyArray<Example>): Map<string, string> => {
  const files = writeExamples(all)
  const byFile = new Map([...files].map(([id, file]) => [file, id]))
  const broken = new Map<string, string>()
  // A syntax error stops tsc before it checks types anywhere: such examples are set aside and
  // tsc runs again on the rest.
  for (let round = 0; round < 5; round++) {
    const run = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", outDir], { encoding: "utf8" })
    const errors = [
      ...run.stdout.matchAll(/^test-results\/examples\/(example-\d+\.ts)\(\d+,\d+\): error (TS\d+): (.*)$/gm)
    ]
    if (run.status !== 0 && errors.length === 0) throw new Error(`tsc failed outside the examples:\n${run.stdout}`)
    const syntax = errors.filter((error) => /^TS1\d{3}$/.test(error[2]!) && !["TS1484", "TS1375"].includes(error[2]!))
    for (const [, file, code, message] of syntax.length > 0 ? syntax : errors) {
      const id = byFile.get(file!)!
      if (!broken.has(id)) broken.set(id, `${code}: ${message}`)
      rmSync(join(outDir, file!), { force: true })
    }
    if (syntax.length === 0) break
  }
  return broken
}
