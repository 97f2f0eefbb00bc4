/**
 * The transport across processes, on real sockets over loopback (a live clock: these are network
 * tests, bounded in time). Each node has its own `RpcTransport`; nothing is shared in memory.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Queue, Random, Scope } from "effect"
import { Raft, runNode } from "../../src/coordination/index.ts"
import type { Envelope } from "../../src/transport/index.ts"
import { RpcTransport } from "../../src/transport/rpc/index.ts"
import { makeTestCa } from "../cluster/secure-certs.ts"
import { freePort } from "../../src/transport/index.ts"

/** Ports and the peer table for `nodes`. */
const cluster = (nodes: ReadonlyArray<string>) =>
  Effect.map(
    Effect.forEach(nodes, () => freePort),
    (ports) => ({
      ports,
      peers: Object.fromEntries(nodes.map((node, i) => [node, { host: "127.0.0.1", port: ports[i] ?? 0 }]))
    })
  )

/** Receives until `count` envelopes arrived (bounded by `timeout`). */
const receiveN = (endpoint: { readonly receive: Effect.Effect<ReadonlyArray<Envelope>> }, count: number) =>
  Effect.gen(function* () {
    const got: Array<Envelope> = []
    while (got.length < count) got.push(...(yield* endpoint.receive))
    return got
  }).pipe(Effect.timeout("10 seconds"))

describe("RpcTransport", () => {
  it.live(
    "two nodes exchange messages in order, both ways, and count them",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { peers, ports } = yield* cluster(["a", "b"])
          const onA = yield* RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers })
          const onB = yield* RpcTransport.make({ node: "b", port: ports[1] ?? 0, peers })
          const ping = yield* onA.bind("ping")
          const pong = yield* onB.bind("pong")
          for (let i = 0; i < 50; i++) yield* ping.send(pong.address, { n: i })
          // JSON cannot carry a BigInt: that one message is dropped and counted, the others go on.
          yield* ping.send(pong.address, { n: 50n })
          for (let i = 50; i < 100; i++) yield* ping.send(pong.address, { n: i })
          const arrived = yield* receiveN(pong, 100)
          assert.deepStrictEqual(
            arrived.map((e) => e.message),
            Array.from({ length: 100 }, (_, n) => ({ n }))
          )
          assert.deepStrictEqual(arrived[0]?.from, { node: "a", id: "ping" })
          assert.deepStrictEqual(arrived[0]?.to, { node: "b", id: "pong" })
          yield* pong.send(ping.address, "back")
          assert.deepStrictEqual(
            (yield* receiveN(ping, 1)).map((e) => e.message),
            ["back"]
          )
          assert.deepStrictEqual(yield* onA.stats, { sent: 101, delivered: 1, dropped: 1 })
          assert.deepStrictEqual(yield* onB.stats, { sent: 1, delivered: 100, dropped: 0 })
        })
      ),
    { timeout: 20_000 }
  )

  it.live(
    "sends never block: to an unknown node they are dropped; to a peer that is down they queue, then drop",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { peers, ports } = yield* cluster(["a", "b"])
          const onA = yield* RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers, outboxCapacity: 4 })
          const from = yield* onA.bind("x")
          yield* from.send({ node: "nowhere", id: "x" }, -1)
          assert.deepStrictEqual(yield* onA.stats, { sent: 1, delivered: 0, dropped: 1 })
          // b is not listening yet: its outbox (4) fills up, the rest is dropped, nothing waits.
          for (let n = 0; n < 100; n++) yield* from.send({ node: "b", id: "y" }, n)
          const { dropped } = yield* onA.stats
          assert.isTrue(dropped >= 1 + 100 - 8 && dropped <= 1 + 100 - 4, `dropped ${dropped}`)
          // Once b listens, what was queued arrives in order: nothing sent is both lost and uncounted.
          const onB = yield* RpcTransport.make({ node: "b", port: ports[1] ?? 0, peers })
          const to = yield* onB.bind("y")
          const queued = 100 - (dropped - 1)
          const arrived = (yield* receiveN(to, queued)).map((e) => e.message as number)
          assert.deepStrictEqual(
            arrived,
            [...arrived].sort((x, y) => x - y)
          )
          assert.strictEqual(arrived.length, queued)
        })
      ),
    { timeout: 20_000 }
  )

  it.live(
    "a peer that starts late is reached once it listens (the sender reconnects)",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { peers, ports } = yield* cluster(["a", "b"])
          const onA = yield* RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers })
          const from = yield* onA.bind("x")
          yield* Effect.sleep("200 millis")
          const onB = yield* RpcTransport.make({ node: "b", port: ports[1] ?? 0, peers })
          const to = yield* onB.bind("y")
          yield* from.send(to.address, "hello")
          assert.deepStrictEqual(
            (yield* receiveN(to, 1)).map((e) => e.message),
            ["hello"]
          )
        })
      ),
    { timeout: 20_000 }
  )

  it.live(
    "closing a node's scope closes its server: the port can be listened on again",
    () =>
      Effect.gen(function* () {
        const { peers, ports } = yield* cluster(["a"])
        const scope = yield* Scope.make()
        yield* Scope.provide(RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers }), scope)
        const busy = yield* Effect.exit(
          Effect.scoped(RpcTransport.make({ node: "a2", port: ports[0] ?? 0, peers: {} }))
        )
        assert.isTrue(Exit.isFailure(busy))
        yield* Scope.close(scope, Exit.void)
        const again = yield* Effect.exit(Effect.scoped(RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers })))
        assert.isTrue(Exit.isSuccess(again))
      }),
    { timeout: 20_000 }
  )

  it.live(
    "with tls, nodes of one CA talk; a node with another CA's certificate never gets a message through",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const ca = yield* makeTestCa("rpc transport CA")
          const other = yield* makeTestCa("intruder CA")
          const { peers, ports } = yield* cluster(["a", "b", "intruder"])
          const port = (i: number) => ports[i] ?? 0
          const onA = yield* RpcTransport.make({ node: "a", port: port(0), peers, tls: ca.issue("a") })
          const onB = yield* RpcTransport.make({ node: "b", port: port(1), peers, tls: ca.issue("b") })
          const intruder = yield* RpcTransport.make({
            node: "intruder",
            port: port(2),
            peers,
            tls: other.issue("intruder")
          })
          const inbox = yield* onB.bind("y")
          yield* (yield* intruder.bind("x")).send(inbox.address, "forged")
          yield* (yield* onA.bind("x")).send(inbox.address, "genuine")
          assert.deepStrictEqual(
            (yield* receiveN(inbox, 1)).map((e) => [e.from.node, e.message]),
            [["a", "genuine"]]
          )
          // The intruder's handshake is refused, again and again: nothing of it ever arrives.
          assert.isTrue(Option.isNone(yield* Effect.timeoutOption(inbox.receive, "1 second")))
          assert.strictEqual((yield* onB.stats).delivered, 1)
        })
      ),
    { timeout: 30_000 }
  )

  it.effect("tls credentials that do not fit are a typed TlsCredentialsError at start", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const ca = yield* makeTestCa("rpc transport CA")
        const error = yield* Effect.flip(
          RpcTransport.make({ node: "a", port: 1, peers: {}, tls: ca.issue("a", { ip: "10.9.9.9" }) })
        )
        assert.strictEqual(error._tag, "TlsCredentialsError")
      })
    )
  )

  it.effect("bad options are a typed InvalidInput", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(RpcTransport.make({ node: "", port: 70_000, peers: {} })))
      assert.strictEqual(error._tag, "InvalidInput")
    })
  )

  it.live(
    "three Raft replicas, each on its own transport, commit the same log over sockets",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const members = ["n0", "n1", "n2"]
          const { peers, ports } = yield* cluster(members)
          const protocol = Raft.makeRaft(Raft.defaultRaftConfig(members), (u): u is number => typeof u === "number")
          const applied = new Map<string, Array<string>>(members.map((m) => [m, []]))
          const progress = yield* Queue.unbounded<void>()
          const transports = yield* Effect.forEach(members, (node, i) =>
            RpcTransport.make({ node, port: ports[i] ?? 0, peers })
          )
          for (const [i, node] of members.entries()) {
            const endpoint = yield* (transports[i] as (typeof transports)[number]).bind("raft")
            yield* Effect.forkScoped(
              runNode(protocol, {
                endpoint,
                emit: (event) =>
                  event._tag === "Applied"
                    ? Effect.andThen(
                        Effect.sync(() => applied.get(node)?.push(event.entry.id)),
                        Queue.offer(progress, undefined)
                      )
                    : Effect.void
              }).pipe(Random.withSeed(i + 1))
            )
          }

          // The client resends each proposal to every replica until one of them (the leader) commits it.
          const client = yield* (transports[0] as (typeof transports)[number]).bind("client")
          const ids = ["p0", "p1", "p2", "p3", "p4"]
          const committed = (id: string) =>
            Effect.gen(function* () {
              while (true) {
                const batch = yield* client.receive
                if (
                  batch.some((e) => {
                    const reply = e.message as {
                      readonly _tag?: string
                      readonly id?: string
                      readonly status?: string
                    }
                    return reply._tag === "ProposeReply" && reply.id === id && reply.status === "committed"
                  })
                )
                  return
              }
            })
          for (const [k, id] of ids.entries()) {
            let done = false
            for (let attempt = 0; attempt < 30 && !done; attempt++) {
              for (const node of members) yield* client.send({ node, id: "raft" }, { _tag: "Propose", id, command: k })
              done = (yield* Effect.timeoutOption(committed(id), "300 millis"))._tag === "Some"
            }
            assert.isTrue(done, `${id} committed`)
          }

          const everywhere = () => members.every((m) => ids.every((id) => applied.get(m)?.includes(id)))
          yield* Effect.gen(function* () {
            while (!everywhere()) yield* Queue.take(progress)
          }).pipe(Effect.timeout("10 seconds"))
          const logs = members.map((m) => applied.get(m) ?? [])
          const shortest = Math.min(...logs.map((log) => log.length))
          // Every replica applied the same entries in the same order (one prefix of one log).
          for (const log of logs) assert.deepStrictEqual(log.slice(0, shortest), (logs[0] ?? []).slice(0, shortest))
        })
      ),
    { timeout: 30_000 }
  )
})
