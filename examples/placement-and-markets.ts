/**
 * Placement and ML coordination in one small program: `node examples/placement-and-markets.ts`.
 *
 * 1. A least-loaded router sends jobs to whichever worker has the shortest mailbox.
 * 2. A VCG reverse auction (`TaskAllocation.procureFrom`) asks labelling agents for their costs and
 *    pays the cheapest one the second-lowest cost, through the ledger: reporting the true cost is
 *    each agent's best strategy.
 * 3. An LMSR prediction market prices "which model wins?"; a trader buys, the market settles, and
 *    the ledger's total is the same before and after.
 *
 * Runs in simulated time with a fixed seed, so it prints the same lines every time.
 */
import { Effect, Layer, Random, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../src/agent/index.ts"
import { Ledger } from "../src/economics/index.ts"
import { PredictionMarket, TaskAllocation } from "../apps/ml-coordination/index.ts"
import { Router } from "../src/placement/index.ts"
import { Registry } from "../src/registry/index.ts"

const Job = Agent.message("Job", { millis: Schema.Number })
const Worker = Agent.make({
  name: "worker",
  messages: Job,
  initial: () => 0,
  handle: (done: number, job) => Effect.as(Effect.sleep(job.millis), done + 1)
})

/** A labelling agent that reports `cost` for the task it is asked about. */
const labeller = (cost: bigint) =>
  Agent.make({
    name: "labeller",
    messages: TaskAllocation.RequestCosts,
    initial: () => undefined,
    handle: (state: undefined, request, ctx) => {
      ctx.reply(request, Object.fromEntries(request.tasks.map((task) => [task.id, cost])))
      return state
    }
  })

const program = Effect.gen(function* () {
  const system = yield* AgentSystem
  const ledger = yield* Ledger.Ledger

  // 1. Least-loaded routing: "a" is busy with a long job and 3 queued behind it, "b" is idle, so
  //    new jobs go to "b" until its queue is as long (ties go to the first in the selection).
  const a = yield* system.spawn(Worker, { id: "a" })
  const b = yield* system.spawn(Worker, { id: "b" })
  yield* a.tell(Job.make({ millis: 10_000 }))
  yield* TestClock.adjust(1)
  for (let i = 0; i < 3; i++) yield* a.tell(Job.make({ millis: 1 }))
  const router = yield* Router.make<typeof Job.Type>({ strategy: "least-loaded", selector: { name: "worker" } })
  const routed: Array<string> = []
  for (let i = 0; i < 4; i++) routed.push((yield* router.tell(Job.make({ millis: 1 }))).id)
  console.log(
    `least-loaded: a busy with 3 queued, b idle; 4 jobs went to ${routed.join(", ")} (b now has ${b.mailboxSize()} queued)`
  )

  // 2. VCG procurement through the ledger.
  for (const account of ["lab", "cheap", "dear"]) yield* ledger.open(account)
  yield* ledger.mint({ account: "lab", amount: 1_000n })
  const cheap = yield* system.spawn(labeller(30n), { id: "cheap" })
  const dear = yield* system.spawn(labeller(45n), { id: "dear" })
  const { allocation } = yield* TaskAllocation.procureFrom({
    principal: "lab",
    tasks: [{ id: "label-1k-images", reserve: 100n }],
    agents: [cheap, dear]
  })
  const [won] = allocation.assignment
  console.log(
    `procurement: ${won?.agent} costs ${won?.cost}, is paid ${won?.payment} (the next-best cost); lab has ${(yield* ledger.balance("lab")).available} left`
  )

  // 3. An LMSR market on which model family wins, settled through the ledger.
  yield* ledger.open("house")
  yield* ledger.open("trader")
  yield* ledger.mint({ account: "house", amount: 10_000n })
  yield* ledger.mint({ account: "trader", amount: 1_000n })
  const total = Effect.map(
    Effect.forEach(["house", "trader", "market:winner"], (account) =>
      ledger.balance(account).pipe(
        Effect.map((b) => b.available),
        Effect.orElseSucceed(() => 0n)
      )
    ),
    (amounts) => amounts.reduce((x, y) => x + y, 0n)
  )
  const market = yield* PredictionMarket.make({
    id: "winner",
    outcomes: ["knn", "forest"],
    liquidity: 10,
    payout: 10n,
    sponsor: "house"
  })
  const before = yield* total
  yield* market.buy({ trader: "trader", outcome: "forest", shares: 20 })
  const prices = (yield* market.prices).map((p) => `${(p * 100).toFixed(0)}%`)
  yield* market.settle("forest")
  console.log(
    `market: after the trade knn ${prices[0]}, forest ${prices[1]}; forest won; trader has ${(yield* ledger.balance("trader")).available}; money conserved: ${before === (yield* total)}`
  )
})

const layers = Layer.mergeAll(AgentSystem.layer.pipe(Layer.provideMerge(Registry.layer)), Ledger.Ledger.layer)
Effect.runPromise(
  program.pipe(Effect.scoped, Effect.provide(layers), Effect.provide(TestClock.layer()), Random.withSeed("examples"))
)
