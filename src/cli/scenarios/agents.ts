/**
 * Scenario `agents`: a supervised team counting primes (the `npm start` example as a reusable
 * scenario). Workers run under a `workers` supervisor; a `tally` agent under the root sums their
 * counts. In each round one range (picked with the seeded `Random`) is poisoned: the worker that
 * gets it crashes, is restarted with fresh state, and the range is retried on the next worker.
 * Every round counts the 2 262 primes below 20 000.
 *
 * @since 0.1.0
 */
import { Effect, Random, Schema } from "effect"
import { Agent, AgentSystem } from "../../agent/index.ts"
import { Probe } from "../../dashboard/index.ts"
import { Supervisor } from "../../supervision/index.ts"
import type { Scenario, ScenarioOptions } from "./Scenario.ts"

const CountPrimes = Agent.request(
  "CountPrimes",
  { from: Schema.Int, to: Schema.Int, poisoned: Schema.Boolean },
  Schema.Int
)
const Stats = Agent.request("Stats", {}, Schema.Int)
const Add = Agent.message("Add", { count: Schema.Int })
const Total = Agent.request("Total", {}, Schema.Int)

const isPrime = (n: number): boolean => {
  if (n < 2) return false
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
  return true
}

const countPrimes = (from: number, to: number): number => {
  let count = 0
  for (let n = from; n < to; n++) if (isPrime(n)) count++
  return count
}

/** A worker counts primes in a range; its state is how many ranges this incarnation handled. */
const makeWorker = (paceMillis: number) =>
  Agent.make({
    name: "worker",
    messages: Schema.Union([CountPrimes, Stats]),
    capabilities: ["primes"],
    initial: () => 0,
    handle: (handled: number, msg, ctx) => {
      if (msg._tag === "Stats") {
        ctx.reply(msg, handled)
        return handled
      }
      if (msg.poisoned) throw new Error(`poisoned range ${msg.from}-${msg.to}`)
      const answer = Effect.sync(() => {
        ctx.reply(msg, countPrimes(msg.from, msg.to))
        return handled + 1
      })
      return paceMillis > 0 ? Effect.andThen(Effect.sleep(paceMillis), answer) : answer
    }
  })

/** The tally sums what workers found. */
const Tally = Agent.make({
  name: "tally",
  messages: Schema.Union([Add, Total]),
  initial: () => 0,
  handle: (total: number, msg, ctx) => {
    if (msg._tag === "Add") return total + msg.count
    ctx.reply(msg, total)
    return total
  }
})

const RANGES = 20
const WIDTH = 1_000

const run = (options: ScenarioOptions) =>
  Effect.gen(function* () {
    const agents = yield* AgentSystem
    const probe = yield* Probe
    const size = options.agents ?? 4
    if (!Number.isInteger(size) || size < 2 || size > 1_000) {
      return yield* Effect.fail(new Error(`--agents must be an integer from 2 to 1000 (got ${size})`))
    }
    // The team's own supervisor, lenient enough for one planned crash per round at full speed.
    const team = yield* Supervisor.make({ name: "workers", intensity: { maxRestarts: 10_000, within: "10 seconds" } })
    yield* probe.watchSupervisor(team)
    const tally = yield* agents.spawn(Tally, { id: "tally" })
    const Worker = makeWorker(options.paceMillis)
    const workers = yield* Effect.forEach(
      Array.from({ length: size }, (_, i) => i + 1),
      (n) => agents.spawn(Worker, { id: `worker-${n}`, supervisor: team })
    )
    const poisoned: Array<string> = []
    let retried = 0
    for (let round = 1; round <= options.rounds; round++) {
      yield* probe.setPhase(`round ${round}/${options.rounds}`)
      const bad = yield* Random.nextIntBetween(0, RANGES - 1)
      poisoned.push(`${bad * WIDTH}-${(bad + 1) * WIDTH}`)
      yield* probe.fact("poisoned range", `${bad * WIDTH}-${(bad + 1) * WIDTH} (round ${round})`)
      yield* Effect.forEach(
        Array.from({ length: RANGES }, (_, i) => i),
        (i) => {
          const first = workers[i % workers.length]!
          const backup = workers[(i + 1) % workers.length]!
          const range = { from: i * WIDTH, to: (i + 1) * WIDTH }
          return first.ask(CountPrimes.make({ ...range, poisoned: i === bad }), { timeout: "60 seconds" }).pipe(
            Effect.catchTag("AgentStopped", () => {
              retried++
              return backup.ask(CountPrimes.make({ ...range, poisoned: false }), { timeout: "60 seconds" })
            }),
            Effect.flatMap((count) => tally.tell(Add.make({ count })))
          )
        },
        { concurrency: RANGES, discard: true }
      )
      const sum = yield* tally.ask(Total.make({}))
      yield* probe.fact("primes counted", String(sum))
    }
    yield* probe.setPhase("done")
    const total = yield* tally.ask(Total.make({}))
    const handled = yield* Effect.forEach(workers, (worker) => worker.ask(Stats.make({})))
    const restarts = (yield* team.children).reduce((sum, child) => sum + child.restarts, 0)
    const dead = yield* agents.deadLetters
    const rounds = options.rounds === 1 ? "1 round" : `${options.rounds} rounds`
    return {
      lines: [
        `agents: ${size} supervised workers counted ${total} primes below 20 000 in ${rounds} (seed ${options.seed})`,
        `  poisoned ranges: ${poisoned.join(", ")}`,
        `  crashes handled by restart: ${restarts}, asks retried elsewhere: ${retried}`,
        `  ranges per worker since its last start: ${handled.join(", ")}`,
        `  dead letters: handler-crashed ${dead["handler-crashed"]}, mailbox-full ${dead["mailbox-full"]}, agent-stopped ${dead["agent-stopped"]}`,
        `  agents alive before shutdown: ${agents.size()}`
      ]
    }
  })

/**
 * The supervised prime-counting team.
 *
 * @since 0.1.0
 * @category utils
 */
export const agents: Scenario = {
  name: "agents",
  description: "a supervised team counts primes; a poisoned range crashes a worker, which restarts",
  run
}
