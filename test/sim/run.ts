/**
 * The offline simulator: many seeds of one scenario, or one seed replayed with its trace.
 *
 *   npm exec -- node test/sim/run.ts raft --seeds 10000      # seeds 1..10000
 *   npm exec -- node test/sim/run.ts raft --seed 1234        # replay one seed, print its trace
 *   npm exec -- node test/sim/run.ts all --seeds 10000 --from 5000
 */
import { Effect } from "effect"
import { formatFailure } from "../../src/sim/index.ts"
import { runSeeds, scenarios } from "./scenarios/index.ts"

const args = process.argv.slice(2)
const flag = (name: string) => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? Number(args[index + 1]) : undefined
}
const name = args[0] ?? "all"
const seed = flag("seed")
const names = name === "all" ? Object.keys(scenarios).filter((n) => !n.endsWith("-broken")) : [name]

const program = Effect.gen(function*() {
  if (seed !== undefined) {
    const result = yield* scenarios[name]?.(seed) ?? Effect.die(new Error(`unknown scenario "${name}"`))
    console.log(result.traceTail.join("\n"))
    console.log(result.ok ? `seed ${seed}: ok (trace ${result.traceHash}, ${result.traceCount} events, ${result.steps} steps)` : formatFailure(name, result))
    return result.ok ? 0 : 1
  }
  const count = flag("seeds") ?? 10_000
  const from = flag("from") ?? 1
  let failed = 0
  for (const scenario of names) {
    const started = performance.now()
    const failures = yield* runSeeds(scenario, from, count)
    failed += failures.length
    console.log(`${scenario}: ${count - failures.length}/${count} seeds ok in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    for (const failure of failures.slice(0, 5)) console.log(formatFailure(scenario, failure, 5))
  }
  return failed === 0 ? 0 : 1
})

Effect.runPromise(program).then((code) => process.exit(code))
