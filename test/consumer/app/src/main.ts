/**
 * The consumer app: Mabeam.layer composed with the app's own service, a supervised agent with a
 * Schema message union (tell, ask, a crash and its restart), a Vickrey auction with escrow in the
 * ledger, a lock and a leader election, and the README blocks that run in a plain process.
 * Exits 1 (with the reason) if anything is not as expected.
 */
import { Context, Effect, Fiber, Layer, Schema, Stream } from "effect"
import { Agent, AgentSystem, Mabeam, Supervisor } from "mabeam"
import { Coordination } from "mabeam/coordination"
import { AuctionHouse, Ledger } from "mabeam/economics"
import { Registry } from "mabeam/registry"
import { Transport } from "mabeam/transport"
import { agentsBlock } from "./readme/agents.js"
import { economicsBlock } from "./readme/economics.js"
import { readmeSum } from "./readme/use-it.js"

const Increment = Agent.message("Increment", { by: Schema.Number })
const Crash = Agent.message("Crash", {})
const Get = Agent.request("Get", {}, Schema.Number)

/** A counter agent; `Crash` throws, so its supervisor restarts it with a fresh count. */
const Counter = Agent.make({
  name: "counter",
  messages: Schema.Union([Increment, Crash, Get]),
  initial: () => 0,
  handle: (count: number, msg, ctx) => {
    switch (msg._tag) {
      case "Increment":
        return count + msg.by
      case "Crash":
        throw new Error("asked to crash")
      case "Get":
        ctx.reply(msg, count)
        return count
    }
  }
})

/** The app's own service, built on mabeam's AgentSystem in the same scope. */
class Tally extends Context.Service<
  Tally,
  {
    readonly add: (by: number) => Effect.Effect<number, unknown>
    readonly crash: Effect.Effect<void, unknown>
    readonly restarts: Effect.Effect<number>
  }
>()("consumer/Tally") {
  static readonly layer = Layer.effect(
    Tally,
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const supervisor = yield* Supervisor.make({ name: "tally", strategy: "one-for-one" })
      const counter = yield* agents.spawn(Counter, { id: "tally-counter", supervisor })
      return Tally.of({
        add: (by) => Effect.andThen(counter.tell(Increment.make({ by })), counter.ask(Get.make({}))),
        crash: counter.tell(Crash.make({})),
        restarts: Effect.map(supervisor.children, (children) => children.reduce((n, child) => n + child.restarts, 0))
      })
    })
  )
}

const check = (ok: boolean, what: string) =>
  ok ? Effect.void : Effect.die(new Error(`consumer check failed: ${what}`))

const agentsAndCrash = Effect.gen(function* () {
  const tally = yield* Tally
  const agents = yield* AgentSystem
  const registry = yield* Registry
  const restarted = yield* agents.events.pipe(
    Stream.filter((event) => event._tag === "AgentRestarted"),
    Stream.take(1),
    Stream.runDrain,
    Effect.forkScoped
  )
  yield* check((yield* tally.add(2)) === 2, "tell then ask counts 2")
  yield* check((yield* tally.add(3)) === 5, "the count reaches 5")
  yield* tally.crash
  yield* Fiber.join(restarted)
  yield* check((yield* tally.restarts) === 1, "the supervisor restarted the counter once")
  yield* check((yield* tally.add(1)) === 1, "the restarted counter starts from 0")
  const entries = yield* registry.select({ name: "counter" })
  yield* check(entries.length === 1, "the restarted counter is registered once")
  yield* Effect.log("agents: tell/ask 2 → 5, crash, 1 restart, fresh count 1, registered once")
}).pipe(Effect.scoped, Effect.provide(Tally.layer.pipe(Layer.provideMerge(Mabeam.layer()))))

const vickrey = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  const house = yield* AuctionHouse.AuctionHouse
  for (const name of ["seller", "alice", "bob"]) yield* ledger.open(name)
  yield* ledger.mint({ account: "alice", amount: 100n })
  yield* ledger.mint({ account: "bob", amount: 100n })
  yield* house.open({ kind: "second-price", id: "gpu-1h", seller: "seller", reserve: 10n, duration: 1_000 })
  yield* house.bid({ auction: "gpu-1h", bidder: "alice", amount: 70n })
  yield* house.bid({ auction: "gpu-1h", bidder: "bob", amount: 45n })
  const { award } = yield* house.outcome("gpu-1h")
  const alice = yield* ledger.balance("alice")
  const bob = yield* ledger.balance("bob")
  const seller = yield* ledger.balance("seller")
  yield* check(award?.winner === "alice" && award.payment === 45n, "alice wins and pays the second bid")
  yield* check(alice.available === 55n && bob.available === 100n && seller.available === 45n, "escrow settled")
  yield* Effect.log(
    `vickrey: ${award?.winner} pays ${award?.payment}; alice ${alice.available}, bob ${bob.available}, seller ${seller.available}`
  )
}).pipe(Effect.provide(AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer))))

const lockAndElection = Effect.gen(function* () {
  const coordination = yield* Coordination
  const lease = yield* coordination.lock("db", { ttl: 5_000 })
  // A group has 3 seats by default: three candidates, and a majority elects one of them.
  const seats = yield* Effect.all([1, 2, 3].map(() => coordination.elect("workers")))
  const { member, term } = yield* seats[0]!.leader
  const leaders = yield* Effect.filter(seats, (seat) => seat.isLeader)
  yield* check(lease.token >= 1, "the lease has a fencing token")
  yield* check(leaders.length === 1 && leaders[0]!.member === member, "exactly one seat leads")
  yield* Effect.log(`coordination: lock ${lease.lock} token ${lease.token}; ${member} leads term ${term}`)
}).pipe(Effect.scoped, Effect.provide(Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))))

/** The README's blocks that run in a plain process: they answer what the README says. */
const readmeBlocks = Effect.gen(function* () {
  yield* check((yield* readmeSum) === 5, "the README's first snippet answers 5")
  const n = yield* agentsBlock.pipe(Effect.scoped, Effect.provide(Mabeam.layer()))
  yield* check(n === 2, "the README's counter answers 2")
  const award = yield* economicsBlock.pipe(
    Effect.provide(AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)))
  )
  yield* check(award?.winner === "alice" && award.payment === 45n, "the README's auction: alice pays 45")
  yield* Effect.log("readme: the snippets answer 5, 2 and alice pays 45")
})

const program = Effect.all([agentsAndCrash, vickrey, lockAndElection, readmeBlocks], { discard: true })

Effect.runPromise(program).then(
  () => console.log("consumer app: ok"),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
