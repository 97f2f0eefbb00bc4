/**
 * The offline simulator: many seeds of one scenario, or one seed replayed with its trace.
 *
 *   npm exec -- node test/sim/run.ts raft --seeds 10000      # seeds 1..10000
 *   npm exec -- node test/sim/run.ts raft --seed 1234        # replay one seed, print its trace
 *   npm exec -- node test/sim/run.ts all --seeds 10000 --from 5000
 *
 * Without a protocol, or with one it does not know, it prints the known ones and exits 2. With
 * `all` it prints a line per protocol as it finishes, with the time left estimated from the
 * protocols done so far.
 */
import { Effect } from "effect"
import { formatFailure } from "../../src/sim/index.ts"
import { runSeeds, scenarios } from "./scenarios/index.ts"

const args = process.argv.slice(2)
const flag = (name: string) => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? Number(args[index + 1]) : undefined
}
const name = args[0] !== undefined && !args[0].startsWith("--") ? args[0] : undefined
const seed = flag("seed")
const known = Object.keys(scenarios)
const correct = known.filter((n) => !n.endsWith("-broken"))

if (name === undefined || (name !== "all" && !known.includes(name))) {
  console.error(name === undefined ? "name a protocol to simulate." : `unknown protocol "${name}".`)
  console.error(`known protocols: ${correct.join(", ")}`)
  console.error(
    `deliberately broken variants (their checkers must fail): ${known.filter((n) => n.endsWith("-broken")).join(", ")}`
  )
  console.error(`or "all": every protocol above, each over --seeds seeds (default 1000; minutes in all)`)
  process.exit(2)
}
const names = name === "all" ? correct : [name]

const program = Effect.gen(function* () {
  if (seed !== undefined) {
    const result = yield* scenarios[name]!(seed)
    console.log(result.traceTail.join("\n"))
    console.log(
      result.ok
        ? `seed ${seed}: ok (trace ${result.traceHash}, ${result.traceCount} events, ${result.steps} steps)`
        : formatFailure(name, result)
    )
    return result.ok ? 0 : 1
  }
  const count = flag("seeds") ?? 10_000
  const from = flag("from") ?? 1
  let failed = 0
  const started = performance.now()
  if (names.length > 1) console.log(`${names.length} protocols × ${count} seeds; a line per protocol as it finishes`)
  for (const [index, scenario] of names.entries()) {
    const begun = performance.now()
    const failures = yield* runSeeds(scenario, from, count)
    failed += failures.length
    const done = index + 1
    const elapsed = (performance.now() - started) / 1000
    const left =
      names.length > 1 && done < names.length
        ? ` [${done}/${names.length} protocols, about ${Math.ceil((elapsed / done) * (names.length - done))} s left]`
        : ""
    console.log(
      `${scenario}: ${count - failures.length}/${count} seeds ok in ${((performance.now() - begun) / 1000).toFixed(1)} s${left}`
    )
    for (const failure of failures.slice(0, 5)) console.log(formatFailure(scenario, failure, 5))
  }
  return failed === 0 ? 0 : 1
})

Effect.runPromise(program).then((code) => process.exit(code))
