/**
 * Shared fixtures of the cluster tests: a counter agent deployed as a cluster entity, and a
 * one-process cluster (in-memory message and runner storage, no-op transport) with SQLite state.
 */
import { type Duration, Effect, Layer, Schedule, Schema } from "effect"
import { MessageStorage, RunnerHealth, Runners, RunnerStorage, Sharding, ShardingConfig } from "effect/cluster"
import { Agent } from "../../src/agent/index.ts"
import { AgentStateStore, ClusterAgent } from "../../src/cluster/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"

export const Increment = Agent.message("Increment", { by: Schema.Number })
export const Get = Agent.request("Get", {}, Schema.Number)
export const Snapshot = Agent.request(
  "Snapshot",
  {},
  Schema.Struct({ count: Schema.Number, seen: Schema.Array(Schema.String) })
)
export const Boom = Agent.request("Boom", {}, Schema.Number)
export const Ignore = Agent.request("Ignore", {}, Schema.Number)
export const Echo = Agent.message("Echo", { times: Schema.Number })
export const Slow = Agent.request("Slow", { millis: Schema.Number }, Schema.Number)

export const CounterState = Schema.Struct({ count: Schema.Number, seen: Schema.Array(Schema.String) })
export type CounterState = typeof CounterState.Type

/**
 * A counter that remembers which tags it saw; `Boom` fails, `Ignore` never replies, `Echo` tells
 * itself, `Slow` answers the count after `millis`.
 */
export const Counter = Agent.make({
  name: "counter",
  messages: Schema.Union([Increment, Get, Snapshot, Boom, Ignore, Echo, Slow]),
  initial: (): CounterState => ({ count: 0, seen: [] }),
  handle: (state, msg, ctx) => {
    switch (msg._tag) {
      case "Increment":
        return { count: state.count + msg.by, seen: [...state.seen, "Increment"] }
      case "Get":
        ctx.reply(msg, state.count)
        return state
      case "Snapshot":
        ctx.reply(msg, state)
        return state
      case "Boom":
        return Effect.fail("boom")
      case "Ignore":
        return state
      case "Echo":
        if (msg.times > 0) ctx.self.tellUnsafe(Echo.make({ times: msg.times - 1 }))
        return { count: state.count + 1, seen: state.seen }
      case "Slow":
        return Effect.sleep(msg.millis).pipe(
          Effect.map(() => {
            ctx.reply(msg, state.count)
            return state
          })
        )
    }
  }
})

/** The counter deployed on the cluster. */
export const ClusterCounter = (
  options: {
    readonly maxIdleTime?: Duration.Input
    readonly kind?: string
    readonly persist?: ClusterAgent.PersistPolicy
  } = {}
) =>
  ClusterAgent.make(Counter, {
    state: CounterState,
    replies: {
      Get: Schema.Number,
      Snapshot: CounterState,
      Boom: Schema.Number,
      Ignore: Schema.Number,
      Slow: Schema.Number
    },
    kind: options.kind,
    persist: options.persist,
    maxIdleTime: options.maxIdleTime ?? "1 minute",
    askTimeout: "5 seconds"
  })

/** A one-process cluster: Sharding over in-memory storage with the given config overrides. */
export const testSharding = (config: Partial<ShardingConfig.ShardingConfig["Service"]> = {}) =>
  Sharding.layer.pipe(
    Layer.provideMerge(Runners.layerNoop),
    Layer.provideMerge(MessageStorage.layerMemory),
    Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
    Layer.provide(ShardingConfig.layer({ entityMessagePollInterval: "100 millis", ...config }))
  )

/** Sharding plus a SQLite (`:memory:`) state store. */
export const testCluster = (config: Partial<ShardingConfig.ShardingConfig["Service"]> = {}) =>
  Layer.mergeAll(testSharding(config), AgentStateStore.layerSql).pipe(
    Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
  )

/** Repeats `check` every 50 ms until it holds; bounded by `within`. */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, within: Duration.Input) =>
  check.pipe(
    Effect.repeat({ until: (ok) => ok, schedule: Schedule.spaced("50 millis") }),
    Effect.timeoutOrElse({ duration: within, orElse: () => Effect.die(new Error("condition not reached in time")) }),
    Effect.asVoid
  )
