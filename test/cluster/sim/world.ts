/**
 * The shared "world" of a simulated cluster: what separate runner processes share in a real
 * deployment, kept in one process and driven by the simulated clock.
 *
 * - Runner storage with real shard locks (as effect's `SqlRunnerStorage`: a lock is held by one
 *   runner, expires `shardLockExpiration` after its last refresh, and can then be taken by
 *   another), where effect's `RunnerStorage.makeMemory` grants every shard to every runner.
 * - A transport between runners (`Runners.make`), doing what effect's socket runner does (the
 *   request payload and the reply are encoded with the JSON codec and decoded on the other side),
 *   but as a function call: a runner that is down refuses connections (`RunnerUnavailable`), and
 *   its callers waiting for replies get `RunnerUnavailable` when it dies, as after a dropped socket.
 * - One agent state store, seen by every runner through a fence: a killed runner's late writes
 *   (its finalizers) fail, as a dead process writes nothing.
 *
 * A killed runner is fenced first (storage, state store, transport), then its scope is closed: what
 * its finalizers try to tell the world is refused, so its locks stay until they expire.
 */
import { Clock, Deferred, Effect, Exit, Layer, Option, Schema } from "effect"
import {
  ClusterError,
  MachineId,
  Message,
  type MessageStorage,
  Reply,
  type Runner,
  type RunnerAddress,
  Runners,
  RunnerStorage,
  type Sharding,
  type ShardingConfig,
  type ShardId,
  Snowflake
} from "effect/cluster"
import type { RpcSerialization } from "effect/rpc"
import { AgentStateStore, type AgentStateStoreShape, StateStoreError } from "../../../src/cluster/index.ts"

const codecFor = Schema.toCodecJson as RpcSerialization.CodecFor

/** One runner as the world sees it. */
export interface Node {
  readonly key: string
  /** Up: reachable, and its storage calls go through. */
  up: boolean
  /** Set once its `Sharding` is built. */
  sharding: Sharding.Sharding["Service"] | undefined
  /** Completed when the runner is killed or leaves: its callers' pending requests fail. */
  readonly down: Deferred.Deferred<void>
}

/** The shared world; see the module comment. */
export interface World {
  readonly nodes: Map<string, Node>
  readonly addNode: (address: RunnerAddress.RunnerAddress) => Node
  /** Fences a node off: storage, state store and transport refuse it from now on. */
  readonly fence: (node: Node) => void
  readonly runnerStorage: (node: Node) => RunnerStorage.RunnerStorage["Service"]
  readonly runners: (
    node: Node
  ) => Layer.Layer<Runners.Runners, never, MessageStorage.MessageStorage | ShardingConfig.ShardingConfig>
  readonly stateStore: (node: Node) => AgentStateStoreShape
  readonly store: AgentStateStoreShape
  /** Shard locks held now (shard → runner key), for checkers. */
  readonly locks: Map<string, { readonly owner: string; expiresAt: number }>
}

const keyOf = (address: RunnerAddress.RunnerAddress) => `${address.host}:${address.port}`

/**
 * Deliberate bugs, so tests can check that the checkers catch them: `"locks"` grants every shard
 * to whoever asks (as effect's `RunnerStorage.makeMemory`), `"saves"` acknowledges every save
 * of a state store without writing it once in `lossEvery` times.
 */
export type Bug = { readonly _tag: "locks" } | { readonly _tag: "saves"; readonly lossEvery: number }

/** Builds an empty world; locks expire `lockExpirationMillis` after their last refresh. */
export const makeWorld = (lockExpirationMillis: number, bug?: Bug | undefined): World => {
  const nodes = new Map<string, Node>()
  const registered = new Map<string, readonly [Runner.Runner, boolean]>()
  const locks = new Map<string, { readonly owner: string; expiresAt: number }>()
  let machineIds = 0
  const store = AgentStateStore.makeMemory()

  const refused = (node: Node) =>
    Effect.fail(new ClusterError.PersistenceError({ cause: new Error(`runner ${node.key} is down`) }))
  const guarded = <A>(node: Node, body: (now: number) => A): Effect.Effect<A, ClusterError.PersistenceError> =>
    Effect.suspend(() => (node.up ? Effect.map(Clock.currentTimeMillis, body) : refused(node)))

  const runnerStorage = (node: Node): RunnerStorage.RunnerStorage["Service"] =>
    RunnerStorage.RunnerStorage.of({
      register: (runner, healthy) =>
        guarded(node, () => {
          registered.set(keyOf(runner.address), [runner, healthy])
          return MachineId.make(machineIds++)
        }),
      unregister: (address) => guarded(node, () => void registered.delete(keyOf(address))),
      getRunners: guarded(node, () => Array.from(registered.values())),
      setRunnerHealth: (address, healthy) =>
        guarded(node, () => {
          const entry = registered.get(keyOf(address))
          if (entry !== undefined) registered.set(keyOf(address), [entry[0], healthy])
        }),
      acquire: (address, shardIds) =>
        guarded(node, (now) => {
          const owner = keyOf(address)
          const got: Array<ShardId.ShardId> = []
          for (const shard of shardIds) {
            const key = shard.toString()
            const lock = locks.get(key)
            if (lock === undefined || lock.owner === owner || lock.expiresAt <= now || bug?._tag === "locks") {
              locks.set(key, { owner, expiresAt: now + lockExpirationMillis })
              got.push(shard)
            }
          }
          return got
        }),
      // As SqlRunnerStorage: refreshes the locks still held by this runner (an expired lock that
      // nobody took is refreshed too).
      refresh: (address, shardIds) =>
        guarded(node, (now) => {
          const owner = keyOf(address)
          const kept: Array<ShardId.ShardId> = []
          for (const shard of shardIds) {
            const lock = locks.get(shard.toString())
            if (lock !== undefined && lock.owner === owner) {
              lock.expiresAt = now + lockExpirationMillis
              kept.push(shard)
            }
          }
          return kept
        }),
      release: (address, shardId) =>
        guarded(node, () => {
          const key = shardId.toString()
          if (locks.get(key)?.owner === keyOf(address)) locks.delete(key)
        }),
      releaseAll: (address) =>
        guarded(node, () => {
          const owner = keyOf(address)
          for (const [key, lock] of locks) if (lock.owner === owner) locks.delete(key)
        })
    })

  const unavailable = (address: RunnerAddress.RunnerAddress) =>
    Effect.fail(new ClusterError.RunnerUnavailable({ address }))
  const reachable = (self: Node, address: RunnerAddress.RunnerAddress): Node | undefined => {
    const target = nodes.get(keyOf(address))
    return self.up && target !== undefined && target.up && target.sharding !== undefined ? target : undefined
  }

  const runners = (
    self: Node
  ): Layer.Layer<Runners.Runners, never, MessageStorage.MessageStorage | ShardingConfig.ShardingConfig> =>
    Layer.effect(Runners.Runners)(
      Runners.make({
        codecFor,
        ping: (address) => (reachable(self, address) === undefined ? unavailable(address) : Effect.void),
        onRunnerUnavailable: () => Effect.void,
        notify: ({ address, message }) => {
          if (Option.isNone(address)) return Effect.void
          const target = reachable(self, address.value)
          if (target === undefined) return unavailable(address.value)
          if (message._tag === "OutgoingEnvelope")
            return Effect.ignore(target.sharding!.send(new Message.IncomingEnvelope({ envelope: message.envelope })))
          return Effect.void
        },
        send: ({ address, message }) => {
          const target = reachable(self, address)
          if (target === undefined) return unavailable(address)
          const sharding = target.sharding!
          if (message._tag === "OutgoingEnvelope")
            return sharding.send(new Message.IncomingEnvelope({ envelope: message.envelope }))
          const replied = Deferred.makeUnsafe<void>()
          const decode = Schema.decodeEffect(Reply.Reply(message.rpc, codecFor))
          return Message.serializeRequest(message, codecFor).pipe(
            Effect.orDie,
            Effect.flatMap((request) =>
              sharding.send(
                new Message.IncomingRequest({
                  envelope: request,
                  lastSentReply: Option.none(),
                  codecFor,
                  respond: (reply) =>
                    Reply.serializeOrDefect(reply, codecFor).pipe(
                      Effect.flatMap((encoded) =>
                        Effect.orDie(Effect.provideContext(decode(encoded), message.context))
                      ),
                      Effect.flatMap((decoded) =>
                        // A dead runner's late replies never leave it.
                        target.up && self.up
                          ? Effect.andThen(
                              message.respond(decoded),
                              decoded._tag === "WithExit" ? Deferred.succeed(replied, undefined) : Effect.void
                            )
                          : Effect.void
                      )
                    )
                })
              )
            ),
            Effect.andThen(
              Effect.raceFirst(
                Deferred.await(replied),
                Effect.andThen(Deferred.await(target.down), unavailable(address))
              )
            )
          )
        }
      })
    ).pipe(Layer.provide(Snowflake.layerGenerator))

  let saves = 0
  const save = (kind: string, id: string, state: string) =>
    bug?._tag === "saves" && ++saves % bug.lossEvery === 0 ? Effect.void : store.save(kind, id, state)
  const stateStore = (node: Node): AgentStateStoreShape => {
    const fenced = (kind: string, agent: string, operation: string) =>
      Effect.fail(new StateStoreError({ kind, agent, operation, reason: `runner ${node.key} is down` }))
    return {
      name: "sim",
      load: (kind, id) => Effect.suspend(() => (node.up ? store.load(kind, id) : fenced(kind, id, "load"))),
      save: (kind, id, state) => Effect.suspend(() => (node.up ? save(kind, id, state) : fenced(kind, id, "save"))),
      saveMany: (kind, states) =>
        Effect.suspend(() => (node.up ? store.saveMany(kind, states) : fenced(kind, "*", "saveMany"))),
      count: (kind) => store.count(kind)
    }
  }

  return {
    nodes,
    locks,
    store,
    addNode: (address) => {
      const node: Node = { key: keyOf(address), up: true, sharding: undefined, down: Deferred.makeUnsafe<void>() }
      nodes.set(node.key, node)
      return node
    },
    fence: (node) => {
      node.up = false
      Deferred.doneUnsafe(node.down, Exit.void)
    },
    runnerStorage,
    runners,
    stateStore
  }
}
