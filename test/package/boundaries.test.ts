/**
 * The library/application boundary: `apps/` and `examples/` use mabeam only through its public
 * entry points (`src/index.ts` and the `src/<capability>/index.ts` files the package exports as
 * `mabeam/<capability>`), and the library never imports an application (only the CLI runs them).
 */
import { assert, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative, resolve } from "node:path"

const root = join(import.meta.dirname, "..", "..")
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  readonly exports: Record<string, { readonly source?: string } | string>
}

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })

/** Every relative module specifier in a file, resolved to a repository path. */
const relativeImports = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)].map((match) =>
    relative(root, resolve(file, "..", match[1]!))
      .split("\\")
      .join("/")
  )

/** `src/index.ts` and `src/<capability>/index.ts` for every subpath of the exports map. */
const publicEntries = new Set(
  Object.keys(packageJson.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? "src/index.ts" : `src/${key.slice(2)}/index.ts`))
)

it("the exports map has the root and one subpath per public capability folder", () => {
  assert.isTrue(publicEntries.has("src/index.ts"))
  for (const capability of ["agent", "registry", "supervision", "coordination", "economics", "cluster"]) {
    assert.isTrue(publicEntries.has(`src/${capability}/index.ts`), capability)
  }
  for (const entry of publicEntries) assert.isTrue(statSync(join(root, entry)).isFile(), entry)
})

it("apps and examples reach the library only through its public entry points", () => {
  const files = [...sources(join(root, "apps")), ...sources(join(root, "examples"))]
  assert.isAbove(files.length, 10, "the scan must see the applications")
  const offenders = files.flatMap((file) =>
    relativeImports(file)
      .filter((target) => target.startsWith("src/") && !publicEntries.has(target))
      .map((target) => `${relative(root, file)} imports ${target}`)
  )
  assert.deepStrictEqual(offenders, [])
})

it("the library never imports an application; only the CLI runs them", () => {
  const offenders = sources(join(root, "src"))
    .filter((file) => !relative(root, file).startsWith("src/cli/"))
    .flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith("apps/") || target.startsWith("examples/"))
        .map((target) => `${relative(root, file)} imports ${target}`)
    )
  assert.deepStrictEqual(offenders, [])
})
