/**
 * Clean checkouts for the A/B gate: `git archive <commit>` unpacked into a temporary directory, so
 * neither side sees the working tree's uncommitted files, and the repository's `.git` is left as
 * it was (no worktree to register or prune).
 *
 * Dependencies: when the checkout's `package-lock.json` is byte-identical to the repository's, its
 * `node_modules` is a symlink to the repository's (installed by CI's `npm ci`): free, and both
 * sides then load one copy of `effect`, so only mabeam's own code differs between them. Otherwise
 * the checkout gets its own `npm ci --ignore-scripts` (tens of seconds on this machine; scripts are
 * skipped because the benchmarks need no native build and the gate runs on the caller's Node).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs"
import { join } from "node:path"

/** A revision resolved to a commit. */
export interface Revision {
  /** What the caller asked for (`HEAD^`, a branch, a hash). */
  readonly rev: string
  readonly hash: string
  readonly short: string
}

/** One side of the comparison, ready to import. */
export interface Checkout extends Revision {
  readonly dir: string
  /** `shared` when `node_modules` links to the repository's, `installed` after its own `npm ci`. */
  readonly dependencies: "shared" | "installed"
  /** Milliseconds spent unpacking and installing. */
  readonly costMs: number
}

const git = (repo: string, args: ReadonlyArray<string>): string =>
  execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim()

/** Resolves `rev` to a commit of `repo`, or `undefined` when there is none (e.g. `HEAD^` of a root commit). */
export const resolveRevision = (repo: string, rev: string): Revision | undefined => {
  try {
    const hash = git(repo, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`])
    return { rev, hash, short: git(repo, ["rev-parse", "--short", hash]) }
  } catch {
    return undefined
  }
}

/** Unpacks `revision` into `dir` (created) and gives it dependencies; see the module doc. */
export const materialise = (repo: string, revision: Revision, dir: string): Checkout => {
  const started = performance.now()
  mkdirSync(dir, { recursive: true })
  execFileSync("bash", ["-c", `git -C "$0" archive --format=tar "$1" | tar -x -C "$2"`, repo, revision.hash, dir], {
    stdio: ["ignore", "ignore", "inherit"]
  })
  const lock = (root: string) => join(root, "package-lock.json")
  const shared =
    existsSync(lock(dir)) &&
    existsSync(lock(repo)) &&
    existsSync(join(repo, "node_modules")) &&
    readFileSync(lock(dir)).equals(readFileSync(lock(repo)))
  if (shared) {
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir")
  } else {
    console.log(`gate: ${revision.short} has another package-lock.json: npm ci in its checkout`)
    execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"]
    })
  }
  return { ...revision, dir, dependencies: shared ? "shared" : "installed", costMs: performance.now() - started }
}
