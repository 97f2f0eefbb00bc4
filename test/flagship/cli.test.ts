/** `npm start -- --mode ...` as a real program (a child process). */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { join } from "node:path"

const root = join(import.meta.dirname, "..", "..")
const flagship = (...args: Array<string>) =>
  spawnSync(process.execPath, [join(root, "examples", "flagship.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000
  })

describe("flagship CLI", () => {
  it("rejects an unknown mode, a flag without a value or too few candidates with a clear message and exit code 2", () => {
    const bogus = flagship("--mode", "bogus")
    assert.strictEqual(bogus.status, 2)
    assert.include(bogus.stderr, '--mode must be one of default, tournament; got "bogus"')
    assert.strictEqual(bogus.stdout, "")
    const missing = flagship("--mode")
    assert.strictEqual(missing.status, 2)
    assert.include(missing.stderr, "--mode needs a value")
    const lonely = flagship("--mode", "tournament", "--agents", "1")
    assert.strictEqual(lonely.status, 2)
    assert.include(lonely.stderr, "--agents must be between 2 and 64 in tournament mode, got 1")
    const task = flagship("--task", "mnist")
    assert.strictEqual(task.status, 2)
    assert.include(task.stderr, '--task must be one of spirals, iris; got "mnist"')
    const seeds = flagship("--seeds", "0")
    assert.strictEqual(seeds.status, 2)
    assert.include(seeds.stderr, '--seeds must be a positive integer, got "0"')
  })

  it("the default run tunes the MLP on spirals against random search at the same epoch budget, and says how to get the multi-seed result", () => {
    const run = flagship("--budget", "120", "--agents", "9", "--seed", "cli")
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /round 1: \d candidates, \d+\/120 spent, best \d+\.\d% \((random|grid|tpe)\)/)
    assert.match(
      run.stdout,
      /candidate configurations of an MLP on the spirals data, \d+ rounds? of successive halving/
    )
    assert.include(run.stdout, "single-agent random search, same 120 epochs")
    assert.include(run.stdout, "`npm start -- --seeds 20`")
    assert.include(run.stdout, "money conserved")
  })

  it("--seeds N prints a row per seed, the means with their 95% intervals and the paired difference", () => {
    const run = flagship("--seeds", "2", "--budget", "60", "--agents", "9", "--seed", "cli")
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /^ {2}cli-1 /m)
    assert.match(run.stdout, /^ {2}cli-2 /m)
    assert.match(run.stdout, /single-agent random search +\d+\.\d% +\[\d+\.\d%, \d+\.\d%\]/)
    assert.match(run.stdout, /team best − random \(paired\) +[+−]\d+\.\d +\[[+−]\d+\.\d, [+−]\d+\.\d\] points/)
    assert.match(run.stdout, /→ (the team is ahead|random search is ahead|no significant difference)/)
  })

  it("--mode tournament runs the tournament and prints its summary", () => {
    const run = flagship("--mode", "tournament", "--agents", "9", "--seed", "cli")
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /rung 2\/2: 3 candidates on 100% of the data/)
    assert.match(run.stdout, /winner candidate-\d+ /)
    assert.match(run.stdout, /8 losers stopped by their supervisor/)
    assert.match(run.stdout, /prediction markets \(LMSR/)
    assert.match(run.stdout, /money conserved/)
  })
})
