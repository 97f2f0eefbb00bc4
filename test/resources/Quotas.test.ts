import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { Budgets, Ledger } from "../../src/economics/index.ts"
import { metered, Quotas, Usage } from "../../src/resources/index.ts"
import { Echo, Ping, quotasLayer, quotasWithBudgets, Sink } from "./fixtures.ts"

const shed = { limit: 2, policy: "shed" } as const

describe("Quotas: messages per second", () => {
  it.effect("shed: over the rate fails with QuotaExceeded carrying retry-after; the clock brings tokens back", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.check("a")
      yield* quotas.check("a")
      const error = yield* Effect.flip(quotas.check("a"))
      assert.deepInclude(error, {
        _tag: "QuotaExceeded",
        agent: "a",
        quota: "messagesPerSecond",
        scope: "agent",
        policy: "shed",
        retryAfterMillis: 500
      })
      assert.include(error.message, `quota "messagesPerSecond" of agent "a" (limit 2)`)
      yield* TestClock.adjust("500 millis")
      yield* quotas.check("a")
      assert.strictEqual((yield* (yield* Usage).of("a")).rejections, 1)
    }).pipe(Effect.provide(quotasLayer({ agents: { messagesPerSecond: shed } })))
  )

  it.effect("throttle: the call waits on the clock instead of failing", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.check("a", 2)
      const fiber = yield* Effect.forkChild(quotas.check("a"))
      yield* TestClock.adjust("499 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      assert.strictEqual((yield* (yield* Usage).of("a")).waitedMillis, 500)
    }).pipe(Effect.provide(quotasLayer({ agents: { messagesPerSecond: { limit: 2, policy: "throttle" } } })))
  )

  it.effect("throttle: a wait longer than maxWaitMillis is shed", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.check("a", 2)
      const error = yield* Effect.flip(quotas.check("a", 2))
      assert.deepInclude(error, { _tag: "QuotaExceeded", policy: "throttle", retryAfterMillis: 1000 })
    }).pipe(
      Effect.provide(
        quotasLayer({ agents: { messagesPerSecond: { limit: 2, policy: "throttle" } }, maxWaitMillis: 200 })
      )
    )
  )

  it.effect("pause: the agent is paused, waits out the pause, then proceeds; resume ends it early", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.check("a", 2)
      const fiber = yield* Effect.forkChild(quotas.check("a"))
      yield* TestClock.adjust("1 millis")
      assert.isTrue(yield* quotas.isPaused("a"))
      yield* TestClock.adjust("798 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      yield* TestClock.adjust("1 second")
      yield* quotas.pause("a", 10_000)
      const waiting = yield* Effect.forkChild(quotas.check("a"))
      yield* TestClock.adjust("1 millis")
      assert.isUndefined(waiting.pollUnsafe())
      assert.isTrue(yield* quotas.resume("a"))
      yield* Fiber.join(waiting)
      assert.isFalse(yield* quotas.resume("a"))
    }).pipe(
      Effect.provide(
        quotasLayer({
          agents: { messagesPerSecond: { limit: 2, policy: "pause" } },
          pauseMillis: 800,
          maxWaitMillis: 20_000
        })
      )
    )
  )

  it.effect("pause longer than maxWaitMillis: the call fails with policy pause", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.pause("a", 5_000)
      const error = yield* Effect.flip(quotas.check("a"))
      assert.deepInclude(error, { _tag: "QuotaExceeded", quota: "paused", policy: "pause", retryAfterMillis: 5_000 })
      yield* TestClock.adjust("5 seconds")
      assert.isFalse(yield* quotas.isPaused("a"))
      yield* quotas.check("a")
    }).pipe(Effect.provide(quotasLayer({ agents: { messagesPerSecond: shed }, maxWaitMillis: 100 })))
  )

  it.effect("a group shares one bucket; a refusal by the group spends none of the agent's tokens", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.check("a", 3)
      const error = yield* Effect.flip(quotas.check("b"))
      assert.deepInclude(error, { quota: "messagesPerSecond", scope: "group", owner: "team" })
      yield* quotas.assign("b", "other")
      yield* quotas.check("b", 5)
      const status = yield* quotas.status("a")
      assert.deepStrictEqual(
        status.map((s) => [s.scope, s.used]),
        [
          ["agent", 3],
          ["group", 3]
        ]
      )
    }).pipe(
      Effect.provide(
        quotasLayer({
          agents: { messagesPerSecond: { limit: 5, policy: "shed" } },
          groups: { team: { messagesPerSecond: { limit: 3, policy: "shed" } } },
          membership: { a: "team", b: "team" }
        })
      )
    )
  )

  it.effect("overrides replace the default limits for one agent", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.check("vip", 10)
      assert.strictEqual((yield* Effect.flip(quotas.check("a", 3)))._tag, "InvalidInput")
    }).pipe(
      Effect.provide(
        quotasLayer({
          agents: { messagesPerSecond: shed },
          overrides: { vip: { messagesPerSecond: { limit: 10, policy: "shed" } } }
        })
      )
    )
  )
})

describe("Quotas: counting quotas", () => {
  it.effect("concurrent asks: a unit is held until released; release is idempotent", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const first = yield* quotas.acquire("a", "concurrentAsks")
      yield* quotas.acquire("a", "concurrentAsks")
      const error = yield* Effect.flip(quotas.acquire("a", "concurrentAsks"))
      assert.deepInclude(error, { quota: "concurrentAsks", limit: 2, retryAfterMillis: 10 })
      yield* first.release
      yield* first.release
      yield* quotas.acquire("a", "concurrentAsks")
      assert.strictEqual((yield* Effect.flip(quotas.acquire("a", "concurrentAsks")))._tag, "QuotaExceeded")
    }).pipe(Effect.provide(quotasLayer({ agents: { concurrentAsks: shed } })))
  )

  it.effect("acquireScoped gives the unit back when the scope closes; throttle waits for a release", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* Effect.scoped(quotas.acquireScoped("a", "concurrentAsks"))
      const held = yield* quotas.acquire("a", "concurrentAsks")
      const waiting = yield* Effect.forkChild(quotas.acquire("a", "concurrentAsks"))
      yield* TestClock.adjust("10 millis")
      assert.isUndefined(waiting.pollUnsafe())
      yield* held.release
      yield* TestClock.adjust("10 millis")
      yield* Fiber.join(waiting)
    }).pipe(Effect.provide(quotasLayer({ agents: { concurrentAsks: { limit: 1, policy: "throttle" } } })))
  )

  it.effect("spawns: children alive are limited; a stopped child gives its unit back", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const system = yield* AgentSystem
      const child = yield* quotas.spawn("parent", Sink)
      yield* quotas.spawn("parent", Sink)
      const error = yield* Effect.flip(quotas.spawn("parent", Sink))
      assert.deepInclude(error, { _tag: "QuotaExceeded", quota: "spawns" })
      yield* system.stop(child)
      yield* Effect.yieldNow
      yield* quotas.spawn("parent", Sink)
      assert.strictEqual((yield* (yield* Usage).of("parent")).spawns, 3)
    }).pipe(Effect.provide(quotasLayer({ agents: { spawns: shed } })))
  )

  it.effect("a failed spawn gives its unit back", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      yield* quotas.spawn("parent", Sink, { id: "same" })
      assert.strictEqual((yield* Effect.flip(quotas.spawn("parent", Sink, { id: "same" })))._tag, "AgentIdTaken")
      yield* quotas.spawn("parent", Sink)
    }).pipe(Effect.provide(quotasLayer({ agents: { spawns: shed } })))
  )
})

describe("Quotas: guarded refs", () => {
  it.effect("tell and ask through a guard are charged to the sender; usage counts them", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const sink = yield* (yield* AgentSystem).spawn(Sink)
      const guarded = yield* quotas.guard(sink, "caller")
      yield* guarded.tell(Ping.make({}))
      assert.strictEqual(yield* guarded.ask(Echo.make({ millis: 0 })), "pong")
      const error = yield* Effect.flip(guarded.tell(Ping.make({})))
      assert.deepInclude(error, { _tag: "QuotaExceeded", agent: "caller" })
      const row = yield* (yield* Usage).of("caller")
      assert.deepInclude(row, { messages: 2, asks: 1, inFlightAsks: 0, rejections: 1 })
    }).pipe(Effect.provide(quotasLayer({ agents: { messagesPerSecond: shed } })))
  )

  it.effect("an ask holds a concurrent-ask unit until its reply", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const sink = yield* (yield* AgentSystem).spawn(Sink)
      const guarded = yield* quotas.guard(sink, "caller")
      const slow = yield* Effect.forkChild(guarded.ask(Echo.make({ millis: 1_000 })))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* (yield* Usage).of("caller")).inFlightAsks, 1)
      assert.deepInclude(yield* Effect.flip(guarded.ask(Echo.make({ millis: 0 }))), { quota: "concurrentAsks" })
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(slow), "pong")
      assert.strictEqual(yield* guarded.ask(Echo.make({ millis: 0 })), "pong")
    }).pipe(Effect.provide(quotasLayer({ agents: { concurrentAsks: { limit: 1, policy: "shed" } } })))
  )

  it.effect("mailbox depth of the receiver refuses senders while it is full", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const sink = yield* (yield* AgentSystem).spawn(Sink, { id: "sink" })
      const guarded = yield* quotas.guard(sink, "caller")
      yield* guarded.tell(Ping.make({}))
      yield* guarded.tell(Ping.make({}))
      const error = yield* Effect.flip(guarded.tell(Ping.make({})))
      assert.deepInclude(error, { quota: "mailboxDepth", owner: "sink", agent: "caller" })
      yield* Effect.yieldNow
      yield* TestClock.adjust("1 millis")
      yield* guarded.tell(Ping.make({}))
    }).pipe(Effect.provide(quotasLayer({ agents: { mailboxDepth: shed } })))
  )
})

describe("Quotas: handler time and budget", () => {
  it.effect("shed: a run longer than cpuMillisPerRun is interrupted and fails; usage records the time", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const quick = yield* Effect.forkChild(quotas.meter("a", Effect.sleep(50).pipe(Effect.as(1))))
      yield* TestClock.adjust("50 millis")
      assert.strictEqual(yield* Fiber.join(quick), 1)
      const fiber = yield* Effect.forkChild(Effect.exit(quotas.meter("a", Effect.sleep(500))))
      yield* TestClock.adjust("100 millis")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepInclude(yield* Effect.flip(Exit.isFailure(exit) ? Effect.failCause(exit.cause) : Effect.void), {
        quota: "cpuMillisPerRun"
      })
      assert.strictEqual((yield* (yield* Usage).of("a")).cpuMillis, 150)
    }).pipe(Effect.provide(quotasLayer({ agents: { cpuMillisPerRun: { limit: 100, policy: "shed" } } })))
  )

  it.effect("metered agents: each handler run is charged; an overrun crashes the run and the agent restarts", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const ref = yield* system.spawn(metered(Sink), { id: "worker" })
      const quick = yield* Effect.forkChild(ref.ask(Echo.make({ millis: 40 })))
      yield* TestClock.adjust("40 millis")
      assert.strictEqual(yield* Fiber.join(quick), "pong")
      const slow = yield* Effect.forkChild(Effect.flip(ref.ask(Echo.make({ millis: 500 }))))
      yield* TestClock.adjust("100 millis")
      assert.deepInclude(yield* Fiber.join(slow), { _tag: "AgentStopped", reason: "crashed" })
      assert.deepInclude(yield* (yield* Usage).of("worker"), { cpuMillis: 140, rejections: 1 })
      yield* TestClock.adjust("1 second")
      assert.isTrue(ref.isAlive())
    }).pipe(Effect.provide(quotasLayer({ agents: { cpuMillisPerRun: { limit: 100, policy: "shed" } } })))
  )

  it.effect("pause: an overrun pauses the agent", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const fiber = yield* Effect.forkChild(Effect.flip(quotas.meter("a", Effect.sleep(500))))
      yield* TestClock.adjust("100 millis")
      assert.deepInclude(yield* Fiber.join(fiber), { policy: "pause" })
      assert.isTrue(yield* quotas.isPaused("a"))
    }).pipe(
      Effect.provide(quotasLayer({ agents: { cpuMillisPerRun: { limit: 100, policy: "pause" } }, maxWaitMillis: 10 }))
    )
  )

  it.effect("throttle: the run completes, and its overrun delays the agent's next run", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      const first = yield* Effect.forkChild(quotas.meter("a", Effect.sleep(300)))
      yield* TestClock.adjust("300 millis")
      yield* Fiber.join(first)
      const second = yield* Effect.forkChild(quotas.meter("a", Effect.succeed("ran")))
      yield* TestClock.adjust("199 millis")
      assert.isUndefined(second.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(second), "ran")
    }).pipe(Effect.provide(quotasLayer({ agents: { cpuMillisPerRun: { limit: 100, policy: "throttle" } } })))
  )

  it.effect("budget: spends through Budgets; an exhausted budget is refused and counted", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger.Ledger
      yield* ledger.open("team")
      yield* ledger.open("shop")
      yield* ledger.mint({ account: "team", amount: 100n })
      yield* (yield* Budgets.Budgets).create({ id: "a-budget", account: "team", limit: 30n })
      const quotas = yield* Quotas
      yield* quotas.spend("a", { to: "shop", amount: 20n })
      assert.strictEqual((yield* Effect.flip(quotas.spend("a", { to: "shop", amount: 20n })))._tag, "BudgetExceeded")
      assert.strictEqual((yield* Effect.flip(quotas.spend("b", { to: "shop", amount: 1n })))._tag, "InvalidInput")
      const row = yield* (yield* Usage).of("a")
      assert.deepInclude(row, { spent: 20n, rejections: 1 })
    }).pipe(Effect.provide(quotasWithBudgets({ budgets: { a: "a-budget" } })))
  )

  it.effect("spend without a Budgets service fails with InvalidInput", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip((yield* Quotas).spend("a", { to: "shop", amount: 1n }))
      assert.include(error.message, "no Budgets service")
    }).pipe(Effect.provide(quotasLayer({ budgets: { a: "a-budget" } })))
  )
})

describe("Quotas: configuration", () => {
  it.effect("a bad configuration fails the layer with InvalidInput", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(
          Quotas.layerWith({ agents: { messagesPerSecond: { limit: -1, policy: "shed" } } }).pipe(
            Layer.provide(Usage.layer)
          )
        )
      )
      assert.strictEqual(error.where, "Quotas.layerWith")
    })
  )

  it.effect("with no limits everything passes and usage is still recorded", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      for (let i = 0; i < 100; i++) yield* quotas.check("a")
      assert.strictEqual((yield* (yield* Usage).of("a")).messages, 100)
      assert.deepStrictEqual(yield* quotas.status("a"), [])
    }).pipe(Effect.provide(Quotas.layer.pipe(Layer.provideMerge(Usage.layer))))
  )
})
