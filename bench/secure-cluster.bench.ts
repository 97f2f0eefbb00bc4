/**
 * What mutual TLS between runners costs: an ask to an agent on the other runner, over plain TCP
 * (`NodeClusterSocket`) and over mutual TLS (`SecureRunner`, TLS 1.3, EC P-256 certificates from
 * a CA made with openssl at setup), each pair of runners on 127.0.0.1 sharing its own SQLite
 * database. Connections between runners are kept open, so the TLS case measures record
 * encryption and framing, not handshakes; a separate group measures a fresh mutual-TLS
 * handshake against a plain TCP connect.
 */
import { connect as netConnect, createServer, type Socket as NetSocket } from "node:net"
import { connect as tlsConnect } from "node:tls"
import { NodeClusterSocket } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Option, Redacted, Schema, Scope } from "effect"
import { EntityId, RunnerAddress, Sharding, type ShardingConfig } from "effect/cluster"
import type { SqlClient } from "effect/sql"
import { Agent } from "../src/agent/index.ts"
import {
  AgentStateStore,
  ClusterAgent,
  type ClusterRef,
  SecureRunner,
  type TlsCredentials,
  TlsSocketServer
} from "../src/cluster/index.ts"
import { SqliteClient } from "../src/sql/index.ts"
import { makeTestCa } from "../test/cluster/secure-certs.ts"
import { freePort as freePortEffect } from "../src/transport/index.ts"
import { defineBench } from "./lib/index.ts"

const Get = Agent.request("Get", {}, Schema.Number)
const Messages = Schema.Union([Get])
type Message = typeof Messages.Type
const Counter = Agent.make({
  name: "bench-secure-counter",
  messages: Messages,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    ctx.reply(msg, n)
    return n
  }
})
const Deployed = ClusterAgent.make(Counter, {
  state: Schema.Number,
  replies: { Get: Schema.Number },
  maxIdleTime: "10 minutes"
})
const get = Get.make({})

const freePort = () => Effect.runPromise(freePortEffect)

const config = (port: number): Partial<ShardingConfig.ShardingConfig["Service"]> => ({
  runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)),
  shardsPerGroup: 32,
  refreshAssignmentsInterval: "200 millis"
})
const plain = (port: number) =>
  Deployed.layer.pipe(
    Layer.provideMerge(NodeClusterSocket.layer({ storage: "sql", shardingConfig: config(port) })),
    Layer.provideMerge(AgentStateStore.layerSql)
  )
const secure = (tls: TlsCredentials.TlsCredentials) => (port: number) =>
  Deployed.layer.pipe(
    Layer.provideMerge(SecureRunner.layer({ tls, shardingConfig: config(port) })),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

const scope = Scope.makeUnsafe()
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** Two runners made by `runner` sharing one SQLite database; a ref, from the first, to an agent on the second. */
const remoteRef = async <E>(runner: (port: number) => Layer.Layer<Sharding.Sharding, E, SqlClient.SqlClient>) => {
  const sql = await run(Layer.buildWithScope(SqliteClient.layer({ filename: ":memory:" }), scope))
  const start = async () =>
    run(Layer.buildWithScope(runner(await freePort()).pipe(Layer.provide(Layer.succeedContext(sql))), scope))
  const a = await start()
  const b = await start()
  const shardingB = Context.get(b, Sharding.Sharding)
  const holdsB = (id: string) => shardingB.hasShardId(shardingB.getShardId(EntityId.make(id), "default"))
  const deadline = Date.now() + 30_000
  let id: string | undefined
  while ((id = Array.from({ length: 200 }, (_, i) => `agent-${i}`).find(holdsB)) === undefined) {
    if (Date.now() > deadline) throw new Error("the second runner got no shard within 30 s")
    await run(Effect.sleep("100 millis"))
  }
  const ref = (await run(Effect.provideContext(Deployed.client, a)))(id)
  await run(ref.ask(get))
  return ref
}

let plainRef: ClusterRef<Message>
let secureRef: ClusterRef<Message>
let credentials: TlsCredentials.TlsCredentials
let tcpPort = 0
let tlsPort = 0

const setup = async () => {
  const ca = await run(Scope.provide(makeTestCa("bench CA"), scope))
  credentials = ca.issue("runner")
  plainRef = await remoteRef(plain)
  secureRef = await remoteRef(secure(credentials))
}

const setupServers = async () => {
  const tcp = createServer((socket) => socket.on("error", () => undefined))
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve))
  await run(
    Scope.addFinalizer(
      scope,
      Effect.callback<void>((resume) => void tcp.close(() => resume(Effect.void)))
    )
  )
  const address = tcp.address()
  tcpPort = typeof address === "object" && address !== null ? address.port : 0
  const tls = await run(
    Scope.provide(
      TlsSocketServer.make({ ...SecureRunner.serverOptions(credentials), host: "127.0.0.1", port: 0 }),
      scope
    )
  )
  tlsPort = tls.address._tag === "UnixPathAddress" ? 0 : tls.address.port
}

/** Opens a connection, waits for `ready` and closes it. */
const connectOnce = (open: () => NetSocket, ready: "connect" | "secureConnect") =>
  new Promise<void>((resolve, reject) => {
    const socket = open()
    socket.once("error", reject)
    socket.once(ready, () => {
      socket.destroy()
      resolve()
    })
  })

export default defineBench("secure-cluster", [
  {
    group: "ask to an agent on the other runner",
    setup,
    baseline: { name: "plain TCP runners (NodeClusterSocket)", fn: () => run(plainRef.ask(get)) },
    cases: [{ name: "mutual TLS runners (SecureRunner)", fn: () => run(secureRef.ask(get)) }]
  },
  {
    group: "new connection between runners",
    setup: setupServers,
    baseline: {
      name: "TCP connect",
      fn: () => connectOnce(() => netConnect({ host: "127.0.0.1", port: tcpPort }), "connect")
    },
    cases: [
      {
        name: "TCP connect + mutual TLS 1.3 handshake (P-256)",
        fn: () =>
          connectOnce(
            () =>
              tlsConnect({
                host: "127.0.0.1",
                port: tlsPort,
                ca: credentials.ca,
                cert: credentials.cert,
                key: Redacted.value(credentials.key)
              }),
            "secureConnect"
          )
      }
    ],
    teardown: () => run(Scope.close(scope, Exit.void))
  }
])
