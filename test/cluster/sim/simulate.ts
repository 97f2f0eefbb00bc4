/**
 * A simulated cluster of many runners in one process: effect/cluster's own `Sharding` on every
 * runner, over the shared world of `world.ts` (shard locks that expire, a transport that drops a
 * dead runner's connections, one state store), under a simulated clock (`clock.ts`) and a seeded `Random`.
 *
 * A client-only runner sends `Add` asks to `ids` agents (each id `rounds` times, one after the
 * other, a seeded pause apart) while seeded churn changes the cluster: runners join, leave
 * gracefully, or are killed (fenced off at once, their locks left to expire); every join and leave
 * moves shards. Checkers:
 *
 * - single activation: an id is never active on two runners at the same time (an activation lasts
 *   from its state load to the close of its scope, seen through `ActivationProbe`);
 * - no acknowledged state lost: every reply to an `Add` of an id is above the previous reply to it
 *   (a lost save would bring a count back), and the stored count of every id is at least its last
 *   reply at the end;
 * - every message answered: each ask ends with a reply or a typed error (`AgentStopped`,
 *   `AskTimeout`, ...), never a defect, and the workload ends within its simulated-time bound.
 */
import {
  Cause,
  Clock,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Random,
  References,
  Schema,
  Scope
} from "effect"
import { MessageStorage, RunnerAddress, RunnerStorage, Sharding, ShardingConfig } from "effect/cluster"
import { makeSimClock } from "./clock.ts"
import { Agent } from "../../../src/agent/index.ts"
import { AgentStateStore, ClusterAgent, Failover } from "../../../src/cluster/index.ts"
import { ActivationProbe } from "../../../src/cluster/internal/probe.ts"
import { type Bug, makeWorld, type Node, type World } from "./world.ts"

/** Adds one to the agent's count and replies the new count. */
export const Add = Agent.request("Add", {}, Schema.Number)

const Tally = Agent.make({
  name: "sim-tally",
  messages: Add,
  initial: () => 0,
  handle: (count, message, ctx) => {
    ctx.reply(message, count + 1)
    return count + 1
  }
})

/** One simulated run. */
export interface SimOptions {
  readonly seed: number
  /** Runners at the start; churn keeps between `minRunners` and `maxRunners` up. */
  readonly runners: number
  readonly minRunners?: number | undefined
  readonly maxRunners?: number | undefined
  /** Agent ids; each receives `rounds` asks. */
  readonly ids: number
  readonly rounds?: number | undefined
  /** Asks in flight at once; default a twentieth of the ids, at least 512. */
  readonly concurrency?: number | undefined
  /** Mean simulated ms between churn events (join, leave, kill). */
  readonly churnEvery?: number | undefined
  /** Shards per group (effect's default: 300). */
  readonly shards?: number | undefined
  /** Bound on simulated time: past it the run fails (the workload did not end). */
  readonly maxMillis?: number | undefined
  /** Ends the run at the first violation (for runs that are meant to fail). */
  readonly stopAtViolation?: boolean | undefined
  /** A deliberate bug in the world, to check that the checkers catch it. */
  readonly bug?: Bug | undefined
}

/** The outcome of one run. */
export interface SimReport {
  readonly seed: number
  readonly ok: boolean
  readonly violations: ReadonlyArray<string>
  readonly joined: number
  readonly left: number
  readonly killed: number
  readonly peakRunners: number
  readonly replies: number
  /** Typed errors by tag (the asks they ended may or may not have been handled). */
  readonly errors: Readonly<Record<string, number>>
  readonly activations: number
  readonly simulatedMillis: number
}

const STEP = 50
/** Yields per step at most; a step ends earlier once the fibers stopped making progress. */
const MAX_YIELDS = 400
const QUIET_YIELDS = 4

const Deployed = ClusterAgent.make(Tally, {
  state: Schema.Number,
  replies: { Add: Schema.Number },
  maxIdleTime: "4 seconds",
  askTimeout: "8 seconds"
})

const shardingConfig = (address: Option.Option<RunnerAddress.RunnerAddress>, shards: number) =>
  ShardingConfig.layer({
    runnerAddress: address,
    shardsPerGroup: shards,
    entityMessagePollInterval: "1 second",
    entityTerminationTimeout: "2 seconds",
    maxResidentEntities: "unbounded",
    ...Failover.shardingConfig(Failover.fast)
  })

/** The layer of one runner (or, without an address, of the client) in `world`. */
const nodeLayer = (
  world: World,
  node: Node,
  address: Option.Option<RunnerAddress.RunnerAddress>,
  shards: number,
  probe: ActivationProbe
) => {
  const runners = world.runners(node)
  const sharding = Sharding.layer.pipe(
    Layer.provideMerge(runners),
    Layer.provide(Failover.runnerHealth(Failover.fast).pipe(Layer.provide(runners))),
    Layer.provide(Layer.succeed(RunnerStorage.RunnerStorage, world.runnerStorage(node))),
    Layer.provide([MessageStorage.layerNoop, shardingConfig(address, shards)])
  )
  const hosted = Option.isSome(address)
    ? Deployed.layer.pipe(
        Layer.provide(Layer.succeed(AgentStateStore.AgentStateStore, world.stateStore(node))),
        Layer.provide(Layer.succeed(ActivationProbe, probe))
      )
    : Layer.empty
  return hosted.pipe(Layer.provideMerge(sharding))
}

/** Runs one seeded simulation; never fails (violations are in the report). */
export const simulate = (options: SimOptions): Effect.Effect<SimReport> =>
  Effect.suspend(() => {
    const clock = makeSimClock()
    // Once the report is made (or the run failed), the run's scope closes (runners' finalizers
    // sleep): this moves the clock meanwhile.
    const finishing = Deferred.makeUnsafe<void>()
    const ticker = Deferred.await(finishing).pipe(
      Effect.andThen(
        Effect.forever(
          Effect.andThen(
            Effect.yieldNow,
            Effect.sync(() => clock.advance(STEP))
          )
        )
      )
    )
    const run = Effect.scoped(
      Effect.onExit(
        Effect.gen(function* () {
          const rounds = options.rounds ?? 2
          const shards = options.shards ?? 300
          const minRunners = options.minRunners ?? Math.max(1, options.runners - Math.ceil(options.runners / 5))
          const maxRunners = options.maxRunners ?? options.runners + Math.ceil(options.runners / 10)
          const churnEvery = options.churnEvery ?? 1_000
          const maxMillis = options.maxMillis ?? 600_000
          const world = makeWorld(
            Duration.toMillis(Duration.fromInputUnsafe(Failover.fast.shardLockExpiration)),
            options.bug
          )
          const violations: Array<string> = []
          const violation = (text: string) => {
            if (violations.length < 20) violations.push(text)
          }
          const simScope = yield* Effect.scope

          // Single activation: the runners an id is active on right now.
          const active = new Map<string, string>()
          let activations = 0
          const probeOf = (node: Node): ActivationProbe => ({
            activated: (_kind, id) => {
              activations++
              progress++
              const other = active.get(id)
              if (other !== undefined) violation(`${id} activated on ${node.key} while active on ${other}`)
              active.set(id, node.key)
            },
            deactivated: (_kind, id) => {
              if (active.get(id) === node.key) active.delete(id)
            }
          })

          const up = new Map<string, { readonly node: Node; readonly scope: Scope.Closeable }>()
          let port = 0
          let joined = 0
          let left = 0
          let killed = 0
          let peakRunners = 0
          // A runner starts in the background: its build takes simulated time (lock acquisition).
          let starting = 0
          const start = Effect.gen(function* () {
            const address = RunnerAddress.make("sim-runner", ++port)
            const node = world.addNode(address)
            const scope = yield* Scope.fork(simScope, "sequential")
            starting++
            yield* Effect.forkIn(
              Layer.buildWithScope(nodeLayer(world, node, Option.some(address), shards, probeOf(node)), scope).pipe(
                Effect.tap((context) =>
                  Effect.sync(() => {
                    node.sharding = Context.get(context, Sharding.Sharding)
                    up.set(node.key, { node, scope })
                    peakRunners = Math.max(peakRunners, up.size)
                  })
                ),
                Effect.catchCause((cause) =>
                  Effect.sync(() => violation(`runner ${node.key} did not start: ${Cause.pretty(cause)}`))
                ),
                Effect.ensuring(
                  Effect.sync(() => {
                    starting--
                  })
                )
              ),
              simScope
            )
          })
          // Progress: replies, typed errors and activations so far; `settle` yields until it stops.
          let progress = 0
          const settle = Effect.gen(function* () {
            let quiet = 0
            for (let i = 0; i < MAX_YIELDS && quiet < QUIET_YIELDS; i++) {
              const before = progress
              yield* Effect.yieldNow
              quiet = progress === before ? quiet + 1 : 0
            }
          })
          const tick = Effect.andThen(
            settle,
            Effect.sync(() => clock.advance(STEP))
          )

          // A runner's scope closes in the background: closing it takes simulated time.
          const closing: Array<Fiber.Fiber<void>> = []
          const stop = (key: string, kill: boolean) =>
            Effect.gen(function* () {
              const entry = up.get(key)!
              up.delete(key)
              if (kill) world.fence(entry.node)
              closing.push(
                yield* Effect.forkIn(
                  Scope.close(entry.scope, Exit.void).pipe(Effect.andThen(Effect.sync(() => world.fence(entry.node)))),
                  simScope
                )
              )
            })

          for (let i = 0; i < options.runners; i++) yield* start
          for (let waited = 0; starting > 0 && waited < 60_000; waited += STEP) yield* tick
          const clientNode = world.addNode(RunnerAddress.make("sim-client", 0))
          const clientScope = yield* Scope.fork(simScope, "sequential")
          const clientContext = yield* Layer.buildWithScope(
            nodeLayer(world, clientNode, Option.none(), shards, probeOf(clientNode)),
            clientScope
          )
          const refs = yield* Effect.provideContext(Deployed.client, clientContext)

          // The workload: rounds of asks per id, a seeded pause apart.
          const acked = new Int32Array(options.ids)
          const errors: Record<string, number> = {}
          let replies = 0
          let done = false
          const perId = (index: number) =>
            Effect.gen(function* () {
              const ref = refs(`agent-${index}`)
              for (let round = 0; round < rounds; round++) {
                if (round > 0) yield* Effect.sleep(yield* Random.nextIntBetween(100, 5_000))
                const exit = yield* Effect.exit(ref.ask(Add.make({})))
                if (Exit.isSuccess(exit)) {
                  replies++
                  progress++
                  if (!(exit.value > acked[index]!))
                    violation(`agent-${index}: reply ${exit.value} after an acknowledged ${acked[index]} (state lost)`)
                  acked[index] = exit.value
                  continue
                }
                const error = Cause.findErrorOption(exit.cause)
                if (Option.isSome(error)) {
                  const tag = (error.value as { readonly _tag: string })._tag
                  const reason = (error.value as { readonly reason?: string }).reason
                  const key = reason === undefined ? tag : `${tag}(${reason})`
                  errors[key] = (errors[key] ?? 0) + 1
                  progress++
                } else
                  violation(`agent-${index}: ask ended without a reply or a typed error: ${Cause.pretty(exit.cause)}`)
              }
            })
          const order = Array.from({ length: options.ids }, (_, i) => i)
          for (let i = order.length - 1; i > 0; i--) {
            const j = yield* Random.nextIntBetween(0, i + 1, { halfOpen: true })
            ;[order[i], order[j]] = [order[j]!, order[i]!]
          }
          yield* Effect.forkIn(
            Effect.forEach(order, perId, {
              concurrency: options.concurrency ?? Math.max(512, Math.ceil(options.ids / 20)),
              discard: true
            }).pipe(
              Effect.ensuring(
                Effect.sync(() => {
                  done = true
                })
              )
            ),
            simScope
          )

          // The driver: lets the fibers run, churns, and moves the clock.
          let nextChurn = churnEvery
          let elapsed = 0
          while (!done && elapsed < maxMillis && !(options.stopAtViolation === true && violations.length > 0)) {
            if (elapsed >= nextChurn) {
              nextChurn = elapsed + (yield* Random.nextIntBetween(churnEvery / 2, (churnEvery * 3) / 2))
              const roll = yield* Random.nextIntBetween(0, 3, { halfOpen: true })
              const keys = Array.from(up.keys())
              if (roll === 0 && up.size < maxRunners) {
                joined++
                yield* start
              } else if (up.size > minRunners) {
                const victim = keys[yield* Random.nextIntBetween(0, keys.length, { halfOpen: true })]!
                if (roll === 1) left++
                else killed++
                yield* stop(victim, roll !== 1)
              } else {
                joined++
                yield* start
              }
            }
            yield* tick
            elapsed += STEP
          }
          if (!done && violations.length === 0) violation(`the workload did not end within ${maxMillis} simulated ms`)

          // Every runner leaves (their agents passivate), then the client; the clock moves meanwhile.
          for (const key of Array.from(up.keys())) yield* stop(key, false)
          closing.push(yield* Effect.forkIn(Scope.close(clientScope, Exit.void), simScope))
          for (let waited = 0; closing.some((fiber) => fiber.pollUnsafe() === undefined); waited += STEP) {
            if (waited > 60_000) {
              violation("the runners did not stop within 60 simulated seconds")
              break
            }
            yield* tick
          }

          // Acknowledged state survives: the stored count is at least the last reply.
          for (let index = 0; index < options.ids; index++) {
            if (acked[index] === 0) continue
            const stored = yield* world.store.load(Deployed.kind, `agent-${index}`).pipe(Effect.orDie)
            const count = Option.isSome(stored) ? Number(JSON.parse(stored.value)) : 0
            if (count < acked[index]!)
              violation(`agent-${index}: stored ${count} below the acknowledged ${acked[index]}`)
          }
          return {
            seed: options.seed,
            ok: violations.length === 0,
            violations,
            joined,
            left,
            killed,
            peakRunners,
            replies,
            errors,
            activations,
            simulatedMillis: elapsed
          }
        }),
        () => Deferred.done(finishing, Exit.void)
      )
    )
    return run.pipe(
      Effect.raceFirst(ticker),
      Effect.provideService(Clock.Clock, clock),
      // Runners that are killed log their failed lock releases: expected here, and thousands of them.
      Effect.provideService(References.MinimumLogLevel, "None"),
      Random.withSeed(options.seed)
    )
  })
