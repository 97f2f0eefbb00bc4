/**
 * Every TypeScript block of README.md is compiled. Most are compiled, as a user would, by the
 * consumer app (`test/consumer/app/src/readme/*.ts`, type-checked against the packed package by
 * `.ci/consumer.sh`); the one about `apps/` is compiled here, by the repository's `tsc`. Each block
 * sits between `// README:begin` and `// README:end` in one of those files, verbatim up to
 * indentation; the test fails if a block of the README is in none of them. (`sh` blocks are
 * commands and untagged blocks are output: not TypeScript.)
 */
import { assert, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { PredictionMarket, TaskAllocation } from "../apps/ml-coordination/index.ts"
import { Agent, type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { Ledger } from "../src/economics/index.ts"
import { Router } from "../src/placement/index.ts"

const root = join(import.meta.dirname, "..")

const dedent = (text: string): string => {
  const lines = text.split("\n").map((line) => line.trimEnd())
  while (lines.length > 0 && lines[0] === "") lines.shift()
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  const indent = Math.min(...lines.filter((line) => line !== "").map((line) => line.length - line.trimStart().length))
  return lines.map((line) => line.slice(indent)).join("\n")
}

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === "node_modules") return []
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })

/** The `README:begin` … `README:end` regions of every test and consumer-app source. */
const regions = sources(join(root, "test")).flatMap((file) =>
  [...readFileSync(file, "utf8").matchAll(/\/\/ README:begin\n([\s\S]*?)\n[ \t]*\/\/ README:end/g)].map((match) => dedent(match[1]!))
)

const readmeBlocks = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) =>
  dedent(match[1]!)
)

it("every TypeScript block of the README is compiled by the consumer app or by a test", () => {
  assert.isAtLeast(readmeBlocks.length, 7, "the README's TypeScript blocks must be found")
  const missing = readmeBlocks.filter((block) => !regions.includes(block))
  assert.deepStrictEqual(missing.map((block) => block.split("\n")[0]), [], "README blocks compiled nowhere (first line shown)")
})

const Job = Agent.message("Job", { millis: Schema.Number })
type Job = typeof Job.Type

/** README "Monitoring, placement and ML coordination": compiled by this repository's `tsc`. */
export const placementBlock = (cheap: AgentRef<TaskAllocation.RequestCosts>, dear: AgentRef<TaskAllocation.RequestCosts>) =>
  Effect.gen(function*() {
    yield* AgentSystem
    yield* Ledger.Ledger
    // README:begin
    const router = yield* Router.make<Job>({ strategy: "least-loaded", selector: { name: "worker" } })
    yield* router.tell(Job.make({ millis: 1 }))              // to the shortest mailbox
    const { allocation } = yield* TaskAllocation.procureFrom({
      principal: "lab", tasks: [{ id: "label-1k-images", reserve: 100n }], agents: [cheap, dear]
    })                                                       // cheap wins, is paid dear's cost
    const market = yield* PredictionMarket.make({ id: "winner", outcomes: ["knn", "forest"], liquidity: 10, payout: 10n, sponsor: "house" })
    yield* market.buy({ trader: "trader", outcome: "forest", shares: 20 })
    yield* market.settle("forest")                           // payouts through the ledger
    // README:end
    return allocation
  })
