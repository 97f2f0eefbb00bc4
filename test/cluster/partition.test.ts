/**
 * A network partition: three socket runners on 127.0.0.1 share one SQL database; every byte between
 * two runners goes through a fault-injecting proxy (`proxy.ts`), so the test can cut one runner off
 * from the two others and heal the cut later.
 *
 * What a partition means here: runner-to-runner traffic of the isolated runner is cut both ways
 * (messages, replies and health-check pings); the SQL database stays reachable for every runner.
 * That is the case effect/cluster handles by itself: the runner that holds the health-check
 * singleton pings the others, marks the one it cannot reach unhealthy in the runner table, every
 * runner (the isolated one too, reading the table) recomputes the shard assignments without it,
 * the isolated runner releases its shard locks and the survivors take its shards. Its agents are
 * activated again on the survivors with their saved state. After the heal the pings succeed
 * again, the runner is marked healthy and gets its share of the shards back.
 *
 * The health checks run on one runner only (a cluster singleton). When that runner is the one cut
 * off, it is the one that pings, and which side keeps serving is a race: it marks one of the two
 * others unhealthy; if the singleton's shard stays with it on the smaller hash ring it marks the
 * last one too (effect/cluster only refuses to mark the last healthy runner), and the minority side
 * takes every shard while the majority serves nothing until the heal; if the singleton's shard
 * moves to the remaining majority runner, that one marks the isolated runner unhealthy and the
 * majority wins. Both happen here, depending on the ports. The SQL shard locks keep every shard on
 * one runner at most either way; the second test checks that, and that one side takes all.
 *
 * Each runner listens on its own port and advertises the port of its ingress proxy
 * (`runnerListenAddress` vs `runnerAddress`); runner i dials runner j through the link proxy i→j
 * (its `RpcClientProtocol` maps the advertised address to the link).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Result } from "effect"
import { EntityId, RunnerAddress, ShardId } from "effect/cluster"
import { SqliteClient } from "../../src/sql/index.ts"
import { eventually, Get, Increment, Slow } from "./fixtures.ts"
import { makeProxy, type Proxy } from "./proxy.ts"
import { freePort, LoopbackCounter, routedRunnerLayer, startRunnerLayer, testShardingConfig } from "./runner-layer.ts"

const RUNNERS = 3
/** The shard of the singleton that runs the runner health checks (it is placed like an entity). */
const HEALTH_CHECK_SINGLETON = EntityId.make("effect/cluster/Sharding/RunnerHealth")

/** Three runners, their proxies, and what the test asks of them. */
const partitionedCluster = Effect.gen(function* () {
  const sql = yield* Layer.build(SqliteClient.layer({ filename: ":memory:" }))
  const listen = yield* Effect.forEach(Array.from({ length: RUNNERS }), () => freePort)
  const ingress = yield* Effect.forEach(listen, (port) => makeProxy(port))
  // links[i][j]: the proxy runner i dials to reach runner j.
  const links: Array<Array<Proxy | undefined>> = yield* Effect.forEach(listen, (_, i) =>
    Effect.forEach(listen, (port, j) => (i === j ? Effect.succeed(undefined) : makeProxy(port)))
  )
  const route = (i: number) => (address: RunnerAddress.RunnerAddress) => {
    const j = ingress.findIndex((proxy) => proxy.port === address.port)
    const link = j < 0 ? undefined : links[i]?.[j]
    return link === undefined ? address : RunnerAddress.make(address.host, link.port)
  }
  const runners = yield* Effect.forEach(listen, (port, i) =>
    startRunnerLayer(sql, routedRunnerLayer({ listen: port, advertise: ingress[i]!.port, route: route(i) }))
  )
  const shardings = runners.map((runner) => runner.sharding)
  /** The proxies on every path to and from runner `i`. */
  const pathsOf = (i: number) =>
    [
      ingress[i]!,
      ...links.flatMap((row, from) => row.filter((link, to) => link !== undefined && (from === i || to === i)))
    ].filter((proxy): proxy is Proxy => proxy !== undefined)
  return {
    runners,
    /** The runners holding the shard of `id` now (exactly one when the cluster has converged). */
    holders: (id: string) =>
      shardings.flatMap((sharding, i) =>
        sharding.hasShardId(sharding.getShardId(EntityId.make(id), "default")) ? [i] : []
      ),
    /** How many runners hold each shard of the default group. */
    shardHolders: () =>
      Array.from(
        { length: testShardingConfig.shardsPerGroup },
        (_, k) => shardings.filter((sharding) => sharding.hasShardId(ShardId.make("default", k + 1))).length
      ),
    healthCheckHolder: () =>
      shardings.findIndex((sharding) => sharding.hasShardId(sharding.getShardId(HEALTH_CHECK_SINGLETON, "default"))),
    isolate: (i: number) => Effect.forEach(pathsOf(i), (proxy) => proxy.cut, { discard: true }),
    heal: (i: number) => Effect.forEach(pathsOf(i), (proxy) => proxy.heal, { discard: true }),
    refused: (i: number) => pathsOf(i).reduce((n, proxy) => n + proxy.refused(), 0)
  }
})

/** The cluster once converged, with one acknowledged change per agent. */
const converged = Effect.gen(function* () {
  const cluster = yield* partitionedCluster
  const ids = Array.from({ length: 48 }, (_, i) => `agent-${i}`)
  const isConverged = () =>
    ids.every((id) => cluster.holders(id).length === 1) && cluster.shardHolders().every((n) => n === 1)
  yield* eventually(
    Effect.sync(() => {
      if (!isConverged()) return false
      const spread = new Set(ids.map((id) => cluster.holders(id)[0]))
      return spread.size === RUNNERS && cluster.healthCheckHolder() >= 0
    }),
    "30 seconds"
  )
  const clientOn = (runner: number) =>
    Effect.map(Effect.provideContext(LoopbackCounter.client, cluster.runners[runner]!.context), (counters) => ({
      counters,
      ask: (id: string) => counters(id).ask(Get.make({}), { timeout: "3 seconds" })
    }))
  const { ask, counters } = yield* clientOn(cluster.healthCheckHolder())
  yield* Effect.forEach(ids, (id, i) => counters(id).tell(Increment.make({ by: i + 1 })), { discard: true })
  const acknowledged = yield* Effect.forEach(ids, ask)
  assert.deepStrictEqual(
    acknowledged,
    ids.map((_, i) => i + 1)
  )
  return { cluster, ids, isConverged, clientOn, acknowledged }
})

describe("a network partition between three runners (the SQL database stays reachable)", () => {
  it.live(
    "the isolated runner's agents are re-homed with their state, and the cluster converges after the heal",
    () =>
      Effect.gen(function* () {
        const { acknowledged, cluster, clientOn, ids, isConverged } = yield* converged
        // Isolate a runner that does not run the health checks; talk to the cluster through the one that does.
        const checker = cluster.healthCheckHolder()
        const isolated = (checker + 1) % RUNNERS
        const onIsolated = ids.filter((id) => cluster.holders(id)[0] === isolated)
        assert.isAbove(onIsolated.length, 0)
        const { ask, counters } = yield* clientOn(checker)

        // An ask in flight when the cut comes (its reply cannot get out): effect/cluster sends it again
        // to the agent's new runner once the isolated one is dropped, so it is answered, late. A request
        // is thus handled at least once, maybe twice: the isolated runner may have handled it too.
        const inFlightId = onIsolated[0]!
        const inFlight = yield* Effect.forkChild(
          Effect.result(counters(inFlightId).ask(Slow.make({ millis: 1500 }), { timeout: "20 seconds" }))
        )
        yield* Effect.sleep("300 millis")
        yield* cluster.isolate(isolated)
        const cutAt = Date.now()
        const resent = yield* Fiber.join(inFlight)
        const resentAfter = Date.now() - cutAt
        assert.deepStrictEqual(resent, Result.succeed(acknowledged[ids.indexOf(inFlightId)]!))
        // Each agent of the isolated runner answers again (from a survivor) with its acknowledged state.
        const reached = yield* Effect.forEach(
          onIsolated,
          (id) =>
            ask(id).pipe(
              Effect.retry({ times: 20 }),
              Effect.map((value) => ({ value, holders: cluster.holders(id) }))
            ),
          { concurrency: 4 }
        )
        const rehomedAfter = Date.now() - cutAt
        assert.deepStrictEqual(
          reached.map((r) => r.value),
          onIsolated.map((id) => acknowledged[ids.indexOf(id)])
        )
        assert.isTrue(reached.every((r) => r.holders.length === 1 && r.holders[0] !== isolated))
        assert.isAbove(cluster.refused(isolated), 0, "the cut refused connections")
        // While cut off, the isolated runner holds no shard, and every shard has one holder.
        yield* eventually(
          Effect.sync(() => cluster.shardHolders().every((n) => n === 1)),
          "15 seconds"
        )
        assert.isTrue(ids.every((id) => !cluster.holders(id).includes(isolated)))

        // Changes acknowledged during the partition are kept through the heal.
        yield* Effect.forEach(onIsolated, (id) => counters(id).tell(Increment.make({ by: 1000 })), { discard: true })
        const during = yield* Effect.forEach(ids, ask)
        assert.deepStrictEqual(
          during,
          ids.map((id, i) => acknowledged[i]! + (onIsolated.includes(id) ? 1000 : 0))
        )

        yield* cluster.heal(isolated)
        const healedAt = Date.now()
        yield* eventually(
          Effect.sync(() => isConverged() && ids.some((id) => cluster.holders(id)[0] === isolated)),
          "30 seconds"
        )
        const convergedAfter = Date.now() - healedAt
        const after = yield* Effect.forEach(ids, (id) => ask(id).pipe(Effect.retry({ times: 5 })))
        assert.deepStrictEqual(after, during)
        yield* Effect.log(
          `partition: an ask in flight at the cut was answered by the new runner ${resentAfter} ms after the cut; ` +
            `${onIsolated.length} agents of the isolated runner answered from survivors ${rehomedAfter} ms after the cut; ` +
            `after the heal the cluster converged in ${convergedAfter} ms, the runner holds ` +
            `${ids.filter((id) => cluster.holders(id)[0] === isolated).length} of ${ids.length} agents again`
        )
      }),
    { timeout: 58_000 }
  )

  it.live(
    "when the cut-off runner runs the health checks, one side takes every shard, never both, until the heal",
    () =>
      Effect.gen(function* () {
        const { acknowledged, cluster, clientOn, ids, isConverged } = yield* converged
        const isolated = cluster.healthCheckHolder()
        const majority = (isolated + 1) % RUNNERS
        const fromMajority = yield* clientOn(majority)
        const fromIsolated = yield* clientOn(isolated)

        yield* cluster.isolate(isolated)
        const cutAt = Date.now()
        // Never two holders of one shard, even while the two sides disagree on who is healthy; in
        // the end one side holds every agent.
        const onIsolated = () => ids.filter((id) => cluster.holders(id).includes(isolated)).length
        yield* eventually(
          Effect.sync(() => {
            assert.isTrue(
              cluster.shardHolders().every((n) => n <= 1),
              "a shard held by two runners"
            )
            const held = onIsolated()
            return ids.every((id) => cluster.holders(id).length === 1) && (held === 0 || held === ids.length)
          }),
          "25 seconds"
        )
        const settledAfter = Date.now() - cutAt
        const minorityWon = onIsolated() === ids.length
        // The winning side answers for every agent with the acknowledged state; the other side reaches none.
        const [winner, loser] = minorityWon ? [fromIsolated, fromMajority] : [fromMajority, fromIsolated]
        const served = yield* Effect.forEach(ids, (id) => winner.ask(id).pipe(Effect.retry({ times: 5 })))
        assert.deepStrictEqual(served, acknowledged)
        const unreachable = yield* Effect.flip(loser.counters(ids[0]!).ask(Get.make({}), { timeout: "1 second" }))
        assert.oneOf(unreachable._tag, ["AskTimeout", "AgentStopped"])

        yield* cluster.heal(isolated)
        const healedAt = Date.now()
        yield* eventually(
          Effect.sync(() => isConverged() && new Set(ids.map((id) => cluster.holders(id)[0])).size === RUNNERS),
          "30 seconds"
        )
        const convergedAfter = Date.now() - healedAt
        const after = yield* Effect.forEach(ids, (id) => fromMajority.ask(id).pipe(Effect.retry({ times: 5 })))
        assert.deepStrictEqual(after, acknowledged)
        yield* Effect.log(
          `partition of the health-check runner: ${minorityWon ? "the isolated runner (minority)" : "the two others (majority)"} ` +
            `held all ${ids.length} agents ${settledAfter} ms after the cut; after the heal the cluster converged in ${convergedAfter} ms`
        )
      }),
    { timeout: 58_000 }
  )
})
