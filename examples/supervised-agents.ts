/**
 * `npm start`: a small supervised team.
 *
 * A coordinator hands out number ranges to four workers that count the primes in them. One range
 * is poisoned: the worker that gets it crashes, its supervisor restarts it with fresh state, and
 * the coordinator's ask fails with a typed error it handles by retrying the range elsewhere.
 * At the end the program prints what happened and closes the scope, which stops every agent.
 */
import { Effect, Schema, Stream } from "effect"
import { Agent, AgentSystem, Mabeam } from "../src/index.ts"

const CountPrimes = Agent.request("CountPrimes", { from: Schema.Int, to: Schema.Int }, Schema.Int)
const Stats = Agent.request("Stats", {}, Schema.Int)
const WorkerMessage = Schema.Union([CountPrimes, Stats])

const isPrime = (n: number): boolean => {
  if (n < 2) return false
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
  return true
}

/** A worker counts primes in a range; its state is how many ranges this incarnation handled. */
const Worker = Agent.make({
  name: "worker",
  messages: WorkerMessage,
  capabilities: ["primes"],
  initial: () => 0,
  handle: (handled: number, msg, ctx) => {
    if (msg._tag === "Stats") {
      ctx.reply(msg, handled)
      return handled
    }
    if (msg.from === 13_000) throw new Error("poisoned range") // crashes this incarnation
    let count = 0
    for (let n = msg.from; n < msg.to; n++) if (isPrime(n)) count++
    ctx.reply(msg, count)
    return handled + 1
  }
})

const program = Effect.gen(function* () {
  const agents = yield* AgentSystem
  let restarts = 0
  yield* agents.events.pipe(
    Stream.runForEach((event) => Effect.sync(() => event._tag === "AgentRestarted" && restarts++)),
    Effect.forkScoped
  )
  const workers = yield* Effect.forEach([1, 2, 3, 4], (n) => agents.spawn(Worker, { id: `worker-${n}` }))
  const ranges = Array.from({ length: 20 }, (_, i) => ({ from: i * 1_000, to: (i + 1) * 1_000 }))

  let retried = 0
  const total = yield* Effect.forEach(
    ranges,
    (range, i) => {
      const first = workers[i % workers.length]!
      const backup = workers[(i + 1) % workers.length]!
      return first.ask(CountPrimes.make(range)).pipe(
        Effect.catchTag("AgentStopped", () => {
          retried++
          // The poisoned range crashes every worker; count it as unknown after one retry.
          return backup.ask(CountPrimes.make(range)).pipe(Effect.orElseSucceed(() => 0))
        })
      )
    },
    { concurrency: 4 }
  ).pipe(Effect.map((counts) => counts.reduce((a, b) => a + b, 0)))

  const handled = yield* Effect.forEach(workers, (worker) => worker.ask(Stats.make({})))
  const dead = yield* agents.deadLetters
  yield* Effect.yieldNow
  console.log(
    `mabeam: ${workers.length} supervised workers counted ${total} primes below 20 000 (skipping the poisoned range)`
  )
  console.log(`  ranges per worker since its last start: ${handled.join(", ")}`)
  console.log(`  crashes handled by restart: ${restarts}, asks retried elsewhere: ${retried}`)
  console.log(`  dead letters: ${JSON.stringify(dead)}`)
  console.log(`  agents alive before shutdown: ${agents.size()}`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Mabeam.layer()))).then(
  () => console.log("  scope closed: every agent stopped"),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
