import { connect as netConnect, type Socket as NetSocket } from "node:net"
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Redacted, Result, Scope } from "effect"
import { RunnerAddress, Runners } from "effect/cluster"
import { SecureRunner } from "../../src/cluster/secure/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import { eventually, Get, Increment } from "./fixtures.ts"
import { freePort } from "./runner-layer.ts"
import { makeTestCa } from "./secure-certs.ts"
import {
  dialPlain,
  dialTls,
  intruderLayer,
  ownerOf,
  plainRunnerLayer,
  protocolOver,
  SecureCounter,
  secureRunnerLayer,
  shardingOf,
  start,
  wiretap
} from "./secure-fixtures.ts"

const ids = Array.from({ length: 12 }, (_, i) => `agent-${i}`)

/** Two mutual-TLS runners with certificates from one test CA, sharing one SQLite database, once both hold shards. */
const twoSecureRunners = Effect.gen(function* () {
  const ca = yield* makeTestCa("mabeam cluster CA")
  const sql = yield* Layer.build(SqliteClient.layer({ filename: ":memory:" }))
  const portA = yield* freePort
  const portB = yield* freePort
  const a = yield* start(secureRunnerLayer(portA, ca.issue("runner-a")), sql)
  const b = yield* start(secureRunnerLayer(portB, ca.issue("runner-b")), sql)
  const shardings = [shardingOf(a.context), shardingOf(b.context)]
  yield* eventually(
    Effect.sync(() => {
      const owners = ids.map((id) => ownerOf(shardings, id))
      return owners.includes(0) && owners.includes(1) && !owners.includes(-1)
    }),
    "20 seconds"
  )
  const fromA = yield* Effect.provideContext(SecureCounter.client, a.context)
  return { ca, sql, a, b, portA, portB, fromA, onB: ids.filter((id) => ownerOf(shardings, id) === 1) }
})

/** Connects to 127.0.0.1:`port` over plain TCP, writes `bytes`, and waits for the server to close the connection. */
const closedAfterWriting = (port: number, bytes: Uint8Array) =>
  Effect.callback<"closed", Error>((resume) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => socket.write(bytes))
    socket.on("error", () => undefined)
    socket.on("close", () => resume(Effect.succeed("closed")))
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.succeed("still open" as const) }))

/** Opens a client socket; succeeds once `ready` fires, with a promise of its close. */
const opened = (open: () => NetSocket, ready: "connect" | "secureConnect") =>
  Effect.callback<Promise<void>, Error>((resume) => {
    const socket = open()
    const closed = new Promise<void>((done) => socket.on("close", () => done()))
    socket.on("error", () => undefined)
    socket.once(ready, () => resume(Effect.succeed(closed)))
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeout("5 seconds"))

/** Whether a TCP connect to 127.0.0.1:`port` is refused (nothing listening). */
const refused = (port: number) =>
  Effect.callback<boolean>((resume) => {
    const socket = netConnect({ host: "127.0.0.1", port })
    socket.on("connect", () => {
      socket.destroy()
      resume(Effect.succeed(false))
    })
    socket.on("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code === "ECONNREFUSED")))
  })

describe("secure cluster: mutual TLS between runners on loopback", () => {
  it.live(
    "two runners with certificates from the cluster CA exchange messages; a runner's server and connections close with its scope",
    () =>
      Effect.gen(function* () {
        const { ca, sql, b, portB, fromA, onB } = yield* twoSecureRunners
        assert.isAbove(onB.length, 0)
        yield* Effect.forEach(onB, (id, i) => fromA(id).tell(Increment.make({ by: i + 1 })), { discard: true })
        const counts = yield* Effect.forEach(onB, (id) => fromA(id).ask(Get.make({})))
        assert.deepStrictEqual(
          counts,
          onB.map((_, i) => i + 1)
        )

        // A client-only member with a certificate from the CA reaches the same agents.
        const member = yield* start(
          SecureRunner.layerClientOnly({ tls: ca.issue("client"), shardingConfig: { shardsPerGroup: 16 } }),
          sql
        )
        const fromMember = yield* Effect.provideContext(SecureCounter.client, member.context)
        assert.deepStrictEqual(yield* Effect.forEach(onB, (id) => fromMember(id).ask(Get.make({}))), counts)

        // Open when runner B stops: an authenticated idle connection, and a TCP connection that never
        // starts its handshake. B closes both, stops within a bound, and then nothing listens.
        const probe = ca.issue("probe")
        const authenticated = yield* opened(
          () =>
            tlsConnect({
              host: "127.0.0.1",
              port: portB,
              ca: probe.ca,
              cert: probe.cert,
              key: Redacted.value(probe.key)
            }),
          "secureConnect"
        )
        const silent = yield* opened(() => netConnect({ host: "127.0.0.1", port: portB }), "connect")
        const stopping = yield* Effect.forkDetach(Scope.close(b.scope, Exit.void))
        yield* Fiber.join(stopping).pipe(Effect.timeout("10 seconds"))
        yield* Effect.promise(() => Promise.all([authenticated, silent])).pipe(Effect.timeout("5 seconds"))
        assert.isTrue(yield* refused(portB))
      }),
    { timeout: 45_000 }
  )

  it.live(
    "an outsider without a certificate from the cluster CA reaches no agent; a runner refuses a peer whose certificate is foreign or names another host",
    () =>
      Effect.gen(function* () {
        const { ca, a, portA, portB, fromA } = yield* twoSecureRunners
        yield* Effect.forEach(ids, (id) => fromA(id).tell(Increment.make({ by: 1 })), { discard: true })
        const stranger = (yield* makeTestCa("another CA")).issue("intruder")
        const cluster = [RunnerAddress.make("127.0.0.1", portA), RunnerAddress.make("127.0.0.1", portB)]
        // The intruder trusts the cluster CA (it is public), so only its own credentials are wrong.
        const transports = [
          ["plain TCP: well-formed, unauthenticated RPC frames", dialPlain],
          ["TLS without a client certificate", dialTls({ ca: ca.cert })],
          [
            "TLS with a certificate from another CA",
            dialTls({ ca: ca.cert, cert: stranger.cert, key: Redacted.value(stranger.key) })
          ]
        ] as const
        for (const [name, dial] of transports) {
          const scope = yield* Scope.make()
          const intruder = yield* Layer.buildWithScope(intruderLayer(cluster, protocolOver(dial)), scope)
          const fromIntruder = yield* Effect.provideContext(SecureCounter.client, intruder)
          const outcomes = yield* Effect.forEach(
            ids,
            (id) =>
              fromIntruder(id)
                .tell(Increment.make({ by: 100 }))
                .pipe(Effect.timeout("3 seconds"), Effect.result),
            { concurrency: "unbounded" }
          )
          // Its pings fail with a typed error; its messages are retried until our bound, never delivered.
          const runners = yield* Effect.provideContext(Runners.Runners, intruder)
          const pings = yield* Effect.forEach(cluster, (address) => Effect.flip(runners.ping(address)))
          yield* Scope.close(scope, Exit.void)
          assert.deepStrictEqual(
            pings.map((e) => e._tag),
            ["RunnerUnavailable", "RunnerUnavailable"],
            name
          )
          assert.deepStrictEqual(
            outcomes.map((o) => (Result.isFailure(o) ? o.failure._tag : "delivered")),
            ids.map(() => "TimeoutError"),
            name
          )
        }
        // Garbage on the runner port: the connection is closed during the TLS handshake.
        assert.strictEqual(
          yield* closedAfterWriting(portA, new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")),
          "closed"
        )
        assert.strictEqual(
          yield* closedAfterWriting(
            portB,
            Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)
          ),
          "closed"
        )
        // Every agent still has only the increment sent by a member of the cluster.
        assert.deepStrictEqual(
          yield* Effect.forEach(ids, (id) => fromA(id).ask(Get.make({}))),
          ids.map(() => 1)
        )

        // An impostor runner is not accepted as a peer: A's ping fails and no TLS session is
        // established, though the TCP connection was made. Control: a certificate from the cluster CA
        // naming the dialled address does establish a session.
        const runners = yield* Effect.provideContext(Runners.Runners, a.context)
        const impostor = (credentials: { readonly cert: string; readonly key: Redacted.Redacted<string> }) =>
          Effect.gen(function* () {
            const seen = { tcp: 0, tls: 0 }
            const server = yield* Effect.acquireRelease(
              Effect.callback<ReturnType<typeof createTlsServer>>((resume) => {
                const server = createTlsServer({ cert: credentials.cert, key: Redacted.value(credentials.key) })
                server.on("connection", () => seen.tcp++)
                server.on("secureConnection", (socket) => {
                  seen.tls++
                  socket.destroy()
                })
                server.on("tlsClientError", () => undefined)
                server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
              }),
              (server) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
            )
            const address = server.address()
            const port = typeof address === "object" && address !== null ? address.port : 0
            const ping = yield* runners
              .ping(RunnerAddress.make("127.0.0.1", port))
              .pipe(
                Effect.timeout("3 seconds"),
                Effect.match({ onSuccess: () => "answered", onFailure: (e) => e._tag })
              )
            return { ping, ...seen }
          }).pipe(Effect.scoped)
        const foreign = yield* impostor(stranger)
        assert.deepStrictEqual([foreign.ping, foreign.tcp > 0, foreign.tls], ["RunnerUnavailable", true, 0])
        const elsewhere = yield* impostor(ca.issue("runner-elsewhere", { ip: "127.0.0.2" }))
        assert.deepStrictEqual([elsewhere.ping, elsewhere.tcp > 0, elsewhere.tls], ["RunnerUnavailable", true, 0])
        const control = yield* impostor(ca.issue("runner-here"))
        assert.isAbove(control.tls, 0)
      }),
    { timeout: 90_000 }
  )

  it.live(
    "a wiretap between two runners sees no message content over mutual TLS (and does over plain TCP)",
    () =>
      Effect.gen(function* () {
        const ca = yield* makeTestCa("mabeam cluster CA")
        // Runner B is reached through a wiretap; ids are long enough to be found in the captured bytes.
        const candidates = Array.from({ length: 64 }, (_, i) => `wiretap-marker-${i}`)
        const tapped = (secure: boolean) =>
          Effect.gen(function* () {
            const sql = yield* Layer.build(SqliteClient.layer({ filename: ":memory:" }))
            const [portA, tapB, portB] = [yield* freePort, yield* freePort, yield* freePort]
            const tap = yield* wiretap(tapB, portB)
            const a = yield* start(
              secure ? secureRunnerLayer(portA, ca.issue("runner-a")) : plainRunnerLayer(portA),
              sql
            )
            const b = yield* start(
              secure ? secureRunnerLayer(tapB, ca.issue("runner-b"), portB) : plainRunnerLayer(tapB, portB),
              sql
            )
            const shardings = [shardingOf(a.context), shardingOf(b.context)]
            yield* eventually(
              Effect.sync(() => candidates.some((id) => ownerOf(shardings, id) === 1)),
              "20 seconds"
            )
            const onB = candidates.filter((id) => ownerOf(shardings, id) === 1)
            const fromA = yield* Effect.provideContext(SecureCounter.client, a.context)
            yield* Effect.forEach(onB, (id) => fromA(id).tell(Increment.make({ by: 1 })), { discard: true })
            assert.deepStrictEqual(
              yield* Effect.forEach(onB, (id) => fromA(id).ask(Get.make({}))),
              onB.map(() => 1)
            )
            const captured = tap.captured()
            assert.isAbove(captured.length, 0)
            return onB.filter((id) => captured.includes(id)).length
          }).pipe(Effect.scoped)
        assert.strictEqual(yield* tapped(true), 0)
        assert.isAbove(yield* tapped(false), 0)
      }),
    { timeout: 60_000 }
  )

  it.live(
    "control: the same intruder over plain TCP does reach an agent on a plain runner",
    () =>
      Effect.gen(function* () {
        const sql = yield* Layer.build(SqliteClient.layer({ filename: ":memory:" }))
        const port = yield* freePort
        const plain = yield* start(plainRunnerLayer(port), sql)
        yield* eventually(
          Effect.sync(() => ids.every((id) => ownerOf([shardingOf(plain.context)], id) === 0)),
          "20 seconds"
        )
        const intruder = yield* Layer.build(
          intruderLayer([RunnerAddress.make("127.0.0.1", port)], protocolOver(dialPlain))
        )
        const fromIntruder = yield* Effect.provideContext(SecureCounter.client, intruder)
        yield* (yield* Effect.provideContext(Runners.Runners, intruder)).ping(RunnerAddress.make("127.0.0.1", port))
        yield* fromIntruder("agent-0")
          .tell(Increment.make({ by: 100 }))
          .pipe(Effect.timeout("5 seconds"))
        const local = yield* Effect.provideContext(SecureCounter.client, plain.context)
        yield* eventually(
          Effect.map(local("agent-0").ask(Get.make({})), (n) => n === 100),
          "5 seconds"
        )
      }),
    { timeout: 45_000 }
  )
})
