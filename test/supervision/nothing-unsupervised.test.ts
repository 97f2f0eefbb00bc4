/** Proof of "nothing unsupervised": only the composition root and the CLI may run or detach fibers. */
import { assert, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const root = join(import.meta.dirname, "..", "..")
const allowed = ["src/runtime/", "src/cli/"]
const forbidden = /\bEffect\.run(Fork|Promise|Sync|Callback)\w*\b|\bforkDaemon\b|\bforkDetach\b|\bRuntime\.run\w*\b/

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })

it("no source outside src/runtime and src/cli runs an effect or forks a detached fiber", () => {
  const files = sources(join(root, "src"))
  assert.isAbove(files.length, 10, "the scan must see the sources")
  const offenders = files
    .map((file) => relative(root, file).split("\\").join("/"))
    .filter((file) => !allowed.some((prefix) => file.startsWith(prefix)))
    .flatMap((file) =>
      readFileSync(join(root, file), "utf8")
        .split("\n")
        .flatMap((line, index) =>
          forbidden.test(line) && !line.trim().startsWith("*") && !line.trim().startsWith("//")
            ? [`${file}:${index + 1}: ${line.trim()}`]
            : []
        )
    )
  assert.deepStrictEqual(offenders, [])
})
