/**
 * Fixtures of the secure cluster tests: mutual-TLS runners on 127.0.0.1 hosting a counter agent,
 * a plain-TCP runner for comparison, and an "intruder": a client-only cluster member that knows
 * the runners' addresses (its own in-memory runner storage lists them, so it routes entity
 * messages to them exactly as a member would) but not the SQL storage, and dials them with a
 * transport of the test's choice (plain TCP, TLS without a certificate, a certificate from
 * another CA).
 */
import { connect as netConnect, createServer, type Socket as NetSocket } from "node:net"
import { NodeClusterSocket, NodeSocket } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import {
  EntityId,
  MessageStorage,
  Runner,
  RunnerAddress,
  Runners,
  RunnerStorage,
  Sharding,
  ShardingConfig,
  SocketRunner
} from "effect/cluster"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { Socket } from "effect/socket"
import type { SqlClient } from "effect/sql"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { SecureRunner, type TlsCredentials } from "../../src/cluster/secure/index.ts"
import { ClusterCounter } from "./fixtures.ts"

/** The counter agent of the secure tests (its own entity kind). */
export const SecureCounter = ClusterCounter({ kind: "secure-counter" })

const SHARDS = 16

/**
 * Short intervals so the runners settle quickly on loopback. The runner is reached at `port`; it
 * listens on `listenPort` if given (a wiretap forwards `port` to it).
 */
export const shardingConfig = (
  port: number,
  listenPort?: number
): Partial<ShardingConfig.ShardingConfig["Service"]> => ({
  runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)),
  runnerListenAddress:
    listenPort === undefined ? Option.none() : Option.some(RunnerAddress.make("127.0.0.1", listenPort)),
  shardsPerGroup: SHARDS,
  refreshAssignmentsInterval: "200 millis",
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "3 seconds",
  entityMessagePollInterval: "200 millis",
  runnerHealthCheckInterval: "1 second",
  entityTerminationTimeout: "2 seconds",
  sendRetryInterval: "100 millis"
})

/** A mutual-TLS runner on 127.0.0.1:`port` hosting `SecureCounter`, with state in the SQL database in context. */
export const secureRunnerLayer = (port: number, tls: TlsCredentials.TlsCredentials, listenPort?: number) =>
  SecureCounter.layer.pipe(
    Layer.provideMerge(SecureRunner.layer({ tls, shardingConfig: shardingConfig(port, listenPort) })),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

/** The same runner over plain TCP (`NodeClusterSocket`), as before this module. */
export const plainRunnerLayer = (port: number, listenPort?: number) =>
  SecureCounter.layer.pipe(
    Layer.provideMerge(NodeClusterSocket.layer({ storage: "sql", shardingConfig: shardingConfig(port, listenPort) })),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

/** Builds `layer` (given the SQL database) in its own scope, so the test can stop it; stopped at the end of the test anyway. */
export const start = <A, E>(layer: Layer.Layer<A, E, SqlClient.SqlClient>, sql: Context.Context<SqlClient.SqlClient>) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const context = yield* Layer.buildWithScope(layer.pipe(Layer.provide(Layer.succeedContext(sql))), scope)
    return { scope, context }
  })

/** An outgoing runner RPC protocol over the sockets `dial` opens. */
export const protocolOver = (dial: (address: RunnerAddress.RunnerAddress) => Effect.Effect<Socket.Socket>) =>
  Layer.effect(Runners.RpcClientProtocol)(
    Effect.gen(function* () {
      const serialization = yield* RpcSerialization.RpcSerialization
      return {
        codecFor: serialization.codecFor,
        make: (address: RunnerAddress.RunnerAddress) =>
          Effect.flatMap(dial(address), (socket) =>
            RpcClient.makeProtocolSocket().pipe(
              Effect.provideService(Socket.Socket, socket),
              Effect.provideService(RpcSerialization.RpcSerialization, serialization)
            )
          )
      }
    })
  )

/** Intruder transports: how an outsider dials a runner. */
export const dialPlain = (address: RunnerAddress.RunnerAddress) =>
  NodeSocket.makeNet({ host: address.host, port: address.port, openTimeout: 1000 })

/** TLS that trusts `ca` (so it accepts the runner), presenting `cert`/`key` if given. */
export const dialTls =
  (options: { readonly ca: string; readonly cert?: string; readonly key?: string }) =>
  (address: RunnerAddress.RunnerAddress) =>
    NodeSocket.makeTls({ ...options, host: address.host, port: address.port, openTimeout: 1000 })

/**
 * A client-only cluster member whose runner storage lists `runners` (healthy, default group, weight
 * 1, as a runner registers itself), so its `Sharding` routes entity messages to them over `protocol`.
 */
export const intruderLayer = <E>(
  runners: ReadonlyArray<RunnerAddress.RunnerAddress>,
  protocol: Layer.Layer<Runners.RpcClientProtocol, E, RpcSerialization.RpcSerialization>
) =>
  SocketRunner.layerClientOnly.pipe(
    Layer.provide(protocol),
    Layer.provide(MessageStorage.layerMemory),
    Layer.provide(
      Layer.effect(RunnerStorage.RunnerStorage)(
        Effect.tap(RunnerStorage.makeMemory, (storage) =>
          Effect.forEach(runners, (address) =>
            storage.register(Runner.make({ address, groups: ["default"], weight: 1 }), true)
          )
        )
      )
    ),
    Layer.provide(ShardingConfig.layer({ shardsPerGroup: SHARDS, sendRetryInterval: "100 millis" })),
    Layer.provide(RpcSerialization.layerSchemaBinary())
  )

/** Which of `shardings` holds the shard of entity `id` right now (-1: none). */
export const ownerOf = (shardings: ReadonlyArray<Sharding.Sharding["Service"]>, id: string) =>
  shardings.findIndex((s) => s.hasShardId(s.getShardId(EntityId.make(id), "default")))

/** The `Sharding` of a started runner. */
export const shardingOf = (context: Context.Context<Sharding.Sharding>) => Context.get(context, Sharding.Sharding)

/**
 * A wiretap: a TCP forwarder on 127.0.0.1:`port` to 127.0.0.1:`target` that keeps a copy of every
 * byte it forwards and, while `tamper` is set, flips the lowest bit of the last byte of each
 * chunk going to `target`. Its server and connections are closed with the scope.
 */
export const wiretap = (port: number, target: number) =>
  Effect.gen(function* () {
    const control = { tamper: false }
    const seen: Array<Buffer> = []
    const sockets = new Set<NetSocket>()
    const track = (socket: NetSocket) => {
      sockets.add(socket)
      socket.on("error", () => undefined)
      socket.once("close", () => sockets.delete(socket))
      return socket
    }
    const server = createServer((client) => {
      const upstream = track(netConnect({ host: "127.0.0.1", port: target }))
      track(client)
      client.on("data", (chunk: Buffer) => {
        seen.push(chunk)
        if (control.tamper && chunk.length > 0) {
          const altered = Buffer.from(chunk)
          altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1
          upstream.write(altered)
        } else {
          upstream.write(chunk)
        }
      })
      upstream.on("data", (chunk: Buffer) => {
        seen.push(chunk)
        client.write(chunk)
      })
      client.once("close", () => upstream.destroy())
      upstream.once("close", () => client.destroy())
    })
    yield* Effect.acquireRelease(
      Effect.callback<void>((resume) => void server.listen(port, "127.0.0.1", () => resume(Effect.void))),
      () =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
          for (const socket of sockets) socket.destroy()
        })
    )
    return {
      /** Everything forwarded so far, both directions (as received, before any tampering). */
      captured: () => Buffer.concat(seen),
      /** Starts or stops altering the bytes sent to `target`. */
      setTamper: (on: boolean) => {
        control.tamper = on
      }
    }
  })
