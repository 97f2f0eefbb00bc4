/** Every example runs and prints what it promises (they are real programs: run as child processes). */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { join } from "node:path"

const root = join(import.meta.dirname, "..")
const runExample = (file: string, ...args: Array<string>): string =>
  execFileSync(process.execPath, [join(root, "examples", file), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000
  })

describe("examples", () => {
  it("supervised-agents: a supervised team survives a crash and stops with its scope", () => {
    const output = runExample("supervised-agents.ts")
    assert.match(output, /4 supervised workers counted 2157 primes/)
    assert.match(output, /crashes handled by restart: [1-9]/)
    assert.match(output, /scope closed: every agent stopped/)
  })

  it("auction: the Vickrey winner pays the second bid from escrow", () => {
    assert.strictEqual(runExample("auction.ts"), "winner alice, pays 45; alice has 55 left, the seller 45\n")
  })

  it("placement-and-markets: least-loaded routing, VCG procurement and an LMSR market settle as printed", () => {
    assert.strictEqual(
      runExample("placement-and-markets.ts"),
      [
        "least-loaded: a busy with 3 queued, b idle; 4 jobs went to b, b, b, a (b now has 3 queued)",
        "procurement: cheap costs 30, is paid 45 (the next-best cost); lab has 955 left",
        "market: after the trade knn 12%, forest 88%; forest won; trader has 1056; money conserved: true",
        ""
      ].join("\n")
    )
  })

  it("flagship (npm start): the same seed prints the same tuning run", () => {
    const first = runExample("flagship.ts", "--seed", "ci").replace(/wall time .*\n/, "")
    const second = runExample("flagship.ts", "--seed", "ci").replace(/wall time .*\n/, "")
    assert.match(first, /best model \d+\.\d%, proposed by (random|tpe)/)
    assert.match(first, /final ensemble \(average of the 3 best trained in full\): \d+\.\d%/)
    assert.match(first, /single-agent random search, same 1500 epochs .*best \d+\.\d%/)
    assert.match(first, /ledger: money conserved, no escrow left/)
    assert.strictEqual(first, second)
  })

  it("flagship --mode tournament: the same seed prints the same tournament", () => {
    const first = runExample("flagship.ts", "--mode", "tournament", "--agents", "9", "--seed", "ci").replace(
      /wall time .*\n/,
      ""
    )
    const second = runExample("flagship.ts", "--mode", "tournament", "--agents", "9", "--seed", "ci").replace(
      /wall time .*\n/,
      ""
    )
    assert.match(first, /8 losers stopped by their supervisor/)
    assert.match(first, /prediction markets \(LMSR/)
    assert.match(first, /money conserved/)
    assert.strictEqual(first, second)
  })
})
