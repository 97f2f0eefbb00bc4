/**
 * Attacks on the network transport (issue 29): a node cannot pose as another, a batch proof cannot
 * be forged, altered or replayed, and one bad message in a batch is rejected alone and counted.
 * Node-to-node tests run on loopback sockets under a live clock, bounded in time.
 */
import { X509Certificate } from "node:crypto"
import { connect, type Socket } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import type { Envelope } from "../../src/transport/index.ts"
import { freePort } from "../../src/transport/index.ts"
import { RpcTransport } from "../../src/transport/rpc/index.ts"
import { revokedSerials } from "../../src/transport/rpc/crl.ts"
import { makeProver, makeVerifier, MAX_SKEW_MILLIS } from "../../src/transport/rpc/proof.ts"
import { AuditLog } from "../../src/security/index.ts"
import { makeTestCa } from "../cluster/secure-certs.ts"

const cluster = (nodes: ReadonlyArray<string>) =>
  Effect.map(
    Effect.forEach(nodes, () => freePort),
    (ports) => ({
      ports,
      peers: Object.fromEntries(nodes.map((node, i) => [node, { host: "127.0.0.1", port: ports[i] ?? 0 }]))
    })
  )

const receiveN = (endpoint: { readonly receive: Effect.Effect<ReadonlyArray<Envelope>> }, count: number) =>
  Effect.gen(function* () {
    const got: Array<Envelope> = []
    while (got.length < count) got.push(...(yield* endpoint.receive))
    return got
  }).pipe(Effect.timeout("10 seconds"))

/** The DER bytes of a PEM CRL, and back. */
const crlDer = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----(BEGIN|END) X509 CRL-----/g, "").replace(/\s+/g, ""), "base64")
/** Where the content of the DER TLV at `offset` begins and ends. */
const derContent = (der: Buffer, offset: number): { readonly start: number; readonly end: number } => {
  const first = der[offset + 1] ?? 0
  if (first < 0x80) return { start: offset + 2, end: offset + 2 + first }
  let length = 0
  for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[offset + 2 + i] ?? 0)
  const start = offset + 2 + (first & 0x7f)
  return { start, end: start + length }
}
const crlPem = (der: Buffer): string => `-----BEGIN X509 CRL-----\n${der.toString("base64")}\n-----END X509 CRL-----\n`

const deep = (levels: number): Schema.Json => {
  let value: Schema.Json = 0
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

describe("RpcTransport: authenticated senders", () => {
  it.live(
    "under mutual TLS a node that writes another node's name as sender is rejected, counted and audited; its honest message arrives",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const ca = yield* makeTestCa("cluster")
          const { peers, ports } = yield* cluster(["a", "b", "c"])
          const port = (i: number) => ports[i] ?? 0
          const [audit, onB] = yield* Effect.all([
            Effect.service(AuditLog),
            RpcTransport.make({ node: "b", port: port(1), peers, tls: ca.issue("b") })
          ]).pipe(Effect.provide(AuditLog.layer))
          yield* RpcTransport.make({ node: "a", port: port(0), peers, tls: ca.issue("a") })
          const onC = yield* RpcTransport.make({ node: "c", port: port(2), peers, tls: ca.issue("c") })
          const inbox = yield* onB.bind("inbox")
          yield* onC.send({ node: "a", id: "treasurer" }, inbox.address, { pay: 1_000 })
          yield* onC.send({ node: "c", id: "worker" }, inbox.address, { hello: true })
          const [arrived] = yield* receiveN(inbox, 1)
          assert.deepStrictEqual(arrived?.from, { node: "c", id: "worker" })
          assert.deepStrictEqual(arrived?.message, { hello: true })
          const stats = yield* onB.stats
          assert.strictEqual(stats.delivered, 1)
          assert.strictEqual(stats.dropped, 1)
          const rejected = (yield* audit.records).filter((r) => r.type === "security.transport.rejected")
          assert.deepStrictEqual(
            rejected.map((r) => [r.agent, r.detail]),
            [["c", { "sender-mismatch": 1 }]]
          )
          yield* audit.verify
        })
      ),
    { timeout: 30_000 }
  )

  it.live(
    "one bad message in a batch is rejected alone and counted; the rest of the batch is delivered",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { peers, ports } = yield* cluster(["a", "b"])
          const onA = yield* RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers })
          const onB = yield* RpcTransport.make({ node: "b", port: ports[1] ?? 0, peers })
          const from = yield* onA.bind("x")
          const to = yield* onB.bind("y")
          yield* from.send(to.address, { n: 0 })
          yield* from.send(to.address, deep(100))
          yield* from.send(to.address, "x".repeat(RpcTransport.MAX_MESSAGE_CHARS))
          yield* from.send(to.address, { n: 3 })
          const arrived = yield* receiveN(to, 2)
          assert.deepStrictEqual(
            arrived.map((e) => e.message),
            [{ n: 0 }, { n: 3 }]
          )
          assert.strictEqual((yield* onB.stats).dropped, 2)
        })
      ),
    { timeout: 30_000 }
  )
})

/** A raw TCP connection to `port` on loopback, closed with the scope. */
const rawSocket = (port: number) =>
  Effect.acquireRelease(
    Effect.callback<Socket>((resume) => {
      const socket = connect({ host: "127.0.0.1", port }, () => resume(Effect.succeed(socket)))
    }),
    (socket) => Effect.sync(() => socket.destroy())
  )

describe("RpcTransport: bounded lines", () => {
  it.live(
    "an over-long line is discarded unread and a malformed one skipped; both are counted and audited, and the connection's next request is delivered",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { peers, ports } = yield* cluster(["a", "b"])
          const [audit, onB] = yield* Effect.all([
            Effect.service(AuditLog),
            RpcTransport.make({ node: "b", port: ports[1] ?? 0, peers })
          ]).pipe(Effect.provide(AuditLog.layer))
          const inbox = yield* onB.bind("y")
          const socket = yield* rawSocket(ports[1] ?? 0)
          const chunk = "x".repeat(1_048_576)
          // Longer than the limit, sent in parts (no newline until the end): never buffered whole.
          for (let i = 0; i <= RpcTransport.MAX_LINE_CHARS / chunk.length; i++) socket.write(chunk)
          socket.write("\nnot json\n")
          const envelope = {
            from: { node: "a", id: "x" },
            to: { node: "b", id: "y" },
            message: JSON.stringify({ n: 7 })
          }
          socket.write(
            JSON.stringify({
              _tag: "Request",
              id: "1",
              tag: "Deliver",
              payload: { envelopes: [envelope] },
              headers: []
            }) + "\n"
          )
          const [arrived] = yield* receiveN(inbox, 1)
          assert.deepStrictEqual(arrived?.message, { n: 7 })
          assert.strictEqual((yield* onB.stats).dropped, 2)
          const rejected = yield* Effect.gen(function* () {
            for (;;) {
              const found = (yield* audit.records).filter((r) => r.type === "security.transport.rejected")
              if (found.length === 2) return found
              yield* Effect.sleep("10 millis")
            }
          }).pipe(Effect.timeout("10 seconds"))
          const details = rejected.map((r) => r.detail as Record<string, unknown>)
          assert.strictEqual(details[0]?.["line-too-long"], 1)
          assert.match(String(details[0]?.["issue"]), new RegExp(`MAX_LINE_CHARS \\(${RpcTransport.MAX_LINE_CHARS}\\)`))
          assert.strictEqual(details[1]?.["malformed-line"], 1)
          yield* audit.verify
        })
      ),
    { timeout: 30_000 }
  )
})

describe("RpcTransport: honest large batches", () => {
  it.live(
    "a sender splits a batch larger than the line limit, so every message arrives",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { peers, ports } = yield* cluster(["a", "b"])
          const onA = yield* RpcTransport.make({ node: "a", port: ports[0] ?? 0, peers })
          const onB = yield* RpcTransport.make({ node: "b", port: ports[1] ?? 0, peers })
          const from = yield* onA.bind("x")
          const to = yield* onB.bind("y")
          const big = "y".repeat(900_000)
          const count = Math.ceil(RpcTransport.MAX_LINE_CHARS / big.length) + 1
          for (let i = 0; i < count; i++) yield* from.send(to.address, { i, big })
          const arrived = yield* receiveN(to, count)
          assert.deepStrictEqual(
            arrived.map((e) => (e.message as { i: number }).i),
            Array.from({ length: count }, (_, i) => i)
          )
          assert.strictEqual((yield* onB.stats).dropped, 0)
        })
      ),
    { timeout: 30_000 }
  )
})

describe("batch proofs", () => {
  const setup = Effect.gen(function* () {
    const ca = yield* makeTestCa("cluster")
    const other = yield* makeTestCa("other")
    const peers = new Set(["a", "b", "c"])
    const verifyAtB = makeVerifier(ca.issue("b"), "b", peers)
    return { ca, other, verifyAtB }
  })
  const batch = [{ from: { node: "a", id: "x" }, to: { node: "b", id: "y" }, message: '{"n":1}' }]
  // After the certificates were made (they are valid from the second they were issued).
  const later = () => Date.now() + 2_000

  it.effect("a proof verifies once; its replay, a rewritten batch and a stale one are refused", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { ca, verifyAtB } = yield* setup
        const now = later()
        const proveA = makeProver(ca.issue("a"), "a")
        const proof = proveA("b", batch, now)
        const fail = (result: ReturnType<typeof verifyAtB>) => (result._tag === "Failure" ? result.failure : "accepted")
        const first = verifyAtB(proof, batch, now)
        assert.isTrue(first._tag === "Success" && first.success === "a")
        assert.strictEqual(fail(verifyAtB(proof, batch, now)), "replayed")
        const next = proveA("b", batch, now)
        assert.strictEqual(fail(verifyAtB(next, [{ ...batch[0], message: '{"n":1000}' }], now)), "bad-signature")
        assert.strictEqual(fail(verifyAtB({ ...next, seq: next.seq + 5 }, batch, now)), "bad-signature")
        assert.strictEqual(fail(verifyAtB(proveA("b", batch, now - MAX_SKEW_MILLIS - 1), batch, now)), "stale")
        assert.strictEqual(fail(verifyAtB(proveA("c", batch, now), batch, now)), "bad-signature")
        assert.strictEqual(fail(verifyAtB(undefined, batch, now)), "missing")
        assert.strictEqual(fail(verifyAtB(proveA("b", batch, now), batch, now)), "accepted")
      })
    )
  )

  it.effect(
    "a certificate the CA's CRL revokes proves nothing; the others still do; an unreadable CRL is refused at start",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { ca } = yield* setup
          const now = later()
          const peers = new Set(["a", "b", "c"])
          const certA = ca.issue("a")
          const certC = ca.issue("c")
          const crl = ca.revoke("a")
          const revoked = revokedSerials(crl, new X509Certificate(ca.cert))
          assert.isTrue(Result.isSuccess(revoked))
          const serials = Result.getOrThrow(revoked)
          assert.strictEqual(serials.size, 1)
          const verifyAtB = makeVerifier(ca.issue("b"), "b", peers, serials)
          const fail = (result: ReturnType<typeof verifyAtB>) =>
            result._tag === "Failure" ? result.failure : "accepted"
          assert.strictEqual(fail(verifyAtB(makeProver(certA, "a")("b", batch, now), batch, now)), "revoked")
          assert.strictEqual(fail(verifyAtB(makeProver(certC, "c")("b", batch, now), batch, now)), "accepted")
          // Without the CRL the same proof from "a" would pass: the list is what refuses it.
          assert.strictEqual(
            fail(makeVerifier(ca.issue("b"), "b", peers)(makeProver(certA, "a")("b", batch, now), batch, now)),
            "accepted"
          )
          assert.deepStrictEqual(
            revokedSerials("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----", new X509Certificate(ca.cert)),
            Result.fail("tls.crl is not a readable PEM X.509 CRL")
          )
          const { peers: ports } = yield* cluster(["b"])
          const refused = yield* Effect.flip(
            RpcTransport.make({
              node: "b",
              port: ports["b"]?.port ?? 0,
              peers: {},
              tls: { ...ca.issue("b"), crl: "garbage" }
            })
          )
          assert.strictEqual(refused._tag, "InvalidInput")
        })
      )
  )

  it.live(
    "a CRL not signed by the CA (another CA's, unsigned, or with a revoked serial rewritten) is refused at start; the CA's own starts",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { ca, other } = yield* setup
          const caCert = new X509Certificate(ca.cert)
          const certA = ca.issue("a")
          const genuine = ca.revoke("a")
          other.issue("a")
          const foreign = other.revoke("a")
          const der = crlDer(genuine)
          // Unsigned: the same list with its signature bytes zeroed (same length, still well-formed DER).
          const outer = derContent(der, 0)
          const signature = derContent(der, derContent(der, derContent(der, outer.start).end).end)
          const unsigned = Buffer.from(der)
          unsigned.fill(0, signature.start + 1, signature.end)
          // Rewritten: the revoked serial changed by one bit, so "a" would no longer be revoked.
          const serial = Buffer.from(new X509Certificate(certA.cert).serialNumber.replace(/^(.)(..)*$/, "0$&"), "hex")
          const at = der.indexOf(serial)
          assert.isAtLeast(at, 0)
          const rewritten = Buffer.from(der)
          rewritten[at + serial.length - 1] = (rewritten[at + serial.length - 1] ?? 0) ^ 1
          const notSigned = Result.fail("tls.crl is not signed by the CA (tls.ca)")
          assert.deepStrictEqual(revokedSerials(foreign, caCert), notSigned)
          assert.deepStrictEqual(revokedSerials(crlPem(unsigned), caCert), notSigned)
          assert.deepStrictEqual(revokedSerials(crlPem(rewritten), caCert), notSigned)
          // The foreign list is readable and valid for its own CA: only the issuer is wrong.
          assert.strictEqual(Result.getOrThrow(revokedSerials(foreign, new X509Certificate(other.cert))).size, 1)

          const { peers, ports } = yield* cluster(["b"])
          const start = (crl: string) =>
            RpcTransport.make({ node: "b", port: ports[0] ?? 0, peers, tls: { ...ca.issue("b"), crl } })
          for (const crl of [foreign, crlPem(unsigned), crlPem(rewritten)]) {
            const refused = yield* Effect.flip(Effect.scoped(start(crl)))
            assert.strictEqual(refused._tag, "InvalidInput")
            assert.include(refused.message, "not signed by the CA")
          }
          yield* Effect.scoped(start(genuine))
        })
      ),
    { timeout: 30_000 }
  )

  it.effect("a certificate of another CA, of another node, or of a stranger does not prove a sender", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { ca, other, verifyAtB } = yield* setup
        const now = later()
        const fail = (result: ReturnType<typeof verifyAtB>) => (result._tag === "Failure" ? result.failure : "accepted")
        assert.strictEqual(
          fail(verifyAtB(makeProver(other.issue("a"), "a")("b", batch, now), batch, now)),
          "bad-certificate"
        )
        assert.strictEqual(
          fail(verifyAtB(makeProver(ca.issue("c"), "a")("b", batch, now), batch, now)),
          "subject-mismatch"
        )
        assert.strictEqual(fail(verifyAtB(makeProver(ca.issue("z"), "z")("b", batch, now), batch, now)), "unknown-peer")
      })
    )
  )
})
