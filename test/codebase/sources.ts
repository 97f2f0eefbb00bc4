/**
 * The repository's TypeScript sources, read once for the codebase tests (bounds, tidy, tags,
 * examples). Paths are relative to the repository root, with `/` separators.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative, sep } from "node:path"

/** The repository root. */
export const root = join(import.meta.dirname, "..", "..")

const walk = (dir: string): Array<string> =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (name === "node_modules" || name === "dist") return []
      return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : []
    })

/** One source file: its path relative to the root and its text. */
export interface SourceFile {
  readonly path: string
  readonly text: string
}

/** Every `.ts` file under `folder` (relative to the root), sorted by path. */
export const sourcesUnder = (folder: string): Array<SourceFile> =>
  walk(join(root, folder)).map((path) => ({
    path: relative(root, path).split(sep).join("/"),
    text: readFileSync(path, "utf8")
  }))

/** Whether a line is (part of) a comment: `//`, `/*`, or the ` * ` of a doc comment. */
export const isCommentLine = (line: string): boolean => /^\s*(\/\/|\/\*|\*)/.test(line)
