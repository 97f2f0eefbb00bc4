/**
 * A `Transport` across processes: each node listens on a TCP port and sends to its peers with
 * `effect/rpc` (ndjson over `@effect/platform-node` sockets, reconnecting when a peer restarts).
 *
 * Protocols written against `Transport` (Raft, leases, PBFT, ...) run unchanged across nodes with
 * it: give each node its own name, a port, and the address of every peer.
 *
 * Delivery keeps the `Transport` contract: best effort, never blocking the sender. Each peer has a
 * bounded outbox drained by one sender fiber, a batch per round trip (the next batch goes once the
 * peer acknowledged the last). While a peer is unreachable its outbox fills up and then drops new
 * messages, counted; what is queued is delivered, in order, when it is back. A send to a node not in
 * `peers` is dropped and counted. Messages cross the wire as JSON: fields that are `undefined` are
 * left out, and a message JSON cannot carry (a BigInt, a cycle) is dropped and counted.
 *
 * Each envelope carries the sender's span (a W3C `traceparent` on the wire), so a receiver that
 * handles it under `Propagation.handleLinked(envelope.trace, ...)` joins the sender's trace.
 *
 * `stats` is this node's view: `sent` counts its sends, `delivered` the envelopes it put in its own
 * endpoints' inboxes (from any node), `dropped` what it could not send or deliver.
 *
 * With `tls` (credentials from the cluster's own CA, as for `SecureRunner`), nodes talk mutual
 * TLS 1.3: a node accepts only peers with a certificate from that CA, checks that the peer it
 * dials is named by its certificate, and traffic is encrypted. Each batch also carries a proof
 * signed with the sender's TLS key (see `proof.ts`): the receiver takes the sending node from the
 * proven certificate subject, never from the envelopes, and rejects an envelope whose `from.node`
 * differs, and a batch proven by a certificate the CA's CRL (`tls.crl`) revokes; a CRL the CA did
 * not sign is `InvalidInput` at start. Without `tls`,
 * traffic is plain TCP and `from` is whatever the sender wrote: keep it on
 * a trusted network.
 *
 * Every arriving envelope is checked on its own (shape, sender, addressed to this node, at most
 * `MAX_MESSAGE_CHARS`, JSON within `MAX_JSON_DEPTH`/`MAX_JSON_NODES`): a bad one is rejected
 * alone, the rest of its batch is delivered. Rejections count as `dropped`, in the metric
 * `mabeam.transport.rejected` by reason, and (with an `AuditLog` in context) in one
 * `security.transport.rejected` record per batch.
 *
 * @example
 * ```ts
 * const peers = { a: { host: "127.0.0.1", port: 7001 }, b: { host: "127.0.0.1", port: 7002 } }
 * const onA = RpcTransport.layer({ node: "a", port: 7001, peers })
 * const program = Effect.gen(function*() {
 *   const transport = yield* Transport
 *   const endpoint = yield* transport.bind("raft")
 *   yield* endpoint.send({ node: "b", id: "raft" }, { _tag: "Ping" })
 * }).pipe(Effect.scoped, Effect.provide(onA))
 * ```
 *
 * @since 0.2.0
 */
import { X509Certificate } from "node:crypto"
import { NodeSocket, NodeSocketServer } from "@effect/platform-node"
import { Clock, Effect, Layer, Metric, Option, Queue, Result, Schema, type Scope } from "effect"
import { Rpc, RpcClient, RpcGroup, RpcSerialization, RpcServer } from "effect/rpc"
import { Socket, type SocketServer } from "effect/socket"
import { Mailbox } from "../../agent/Mailbox.ts"
import { connectOptions, serverOptions } from "../../cluster/secure/SecureRunner.ts"
import { type TlsCredentials, type TlsCredentialsError, verify } from "../../cluster/secure/TlsCredentials.ts"
import * as TlsSocketServer from "../../cluster/secure/TlsSocketServer.ts"
import { decodeInput, InvalidInput } from "../../errors/index.ts"
import { AuditLog } from "../../security/AuditLog.ts"
import { checkJsonBounds } from "../../security/bounds.ts"
import { Propagation, transportRejected } from "../../telemetry/index.ts"
import { Address, type Endpoint, makeLocal, Transport } from "../Transport.ts"
import { revokedSerials } from "./crl.ts"
import { boundedNdjson, type LineRejection } from "./lines.ts"
import { BatchProof, makeProver, makeVerifier } from "./proof.ts"

/**
 * An envelope on the wire: its message as JSON text, so one odd message cannot spoil a batch, and
 * the sender's span as a W3C `traceparent` (a malformed one is ignored).
 */
const WireEnvelope = Schema.Struct({
  from: Address,
  to: Address,
  message: Schema.String,
  trace: Schema.optionalKey(Schema.String)
})
const isWireEnvelope = Schema.is(WireEnvelope)

/**
 * Most envelopes accepted in one batch; a larger batch is refused whole.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BATCH = 65_536
/**
 * Longest message (JSON text, characters) accepted in one envelope; a longer one is rejected alone.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_MESSAGE_CHARS = 1_048_576
/**
 * Longest ndjson line (one RPC frame, characters) a node reads: a longer one is discarded as it
 * streams in, before any decoding, and the connection's other lines are read as usual. Senders
 * split their batches to stay well under it.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_LINE_CHARS = 8 * 1_048_576
/** What a sender puts in one batch at most (estimated wire characters), half of `MAX_LINE_CHARS`. */
const BATCH_CHARS = MAX_LINE_CHARS / 2
/** Discarded lines waiting to be audited; beyond this they are still counted, not audited. */
const MAX_PENDING_LINE_AUDITS = 256

/**
 * One batch of envelopes from one node to another, acknowledged once queued at the receiver.
 * Envelopes travel unchecked by the RPC layer and are checked one by one at the receiver, so a
 * bad one is rejected alone; under mutual TLS the batch carries the sender's signed proof.
 */
const Deliver = Rpc.make("Deliver", {
  payload: {
    envelopes: Schema.Array(Schema.Unknown).check(Schema.isMaxLength(MAX_BATCH)),
    proof: Schema.optional(BatchProof)
  }
})
class TransportRpcs extends RpcGroup.make(Deliver) {}

/**
 * Where a node listens.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Peer = Schema.Struct({
  host: Schema.String,
  port: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65_535 }))
})
/**
 * Where a node listens.
 *
 * @since 0.1.0
 * @category models
 */
export type Peer = typeof Peer.Type

/**
 * Options of `RpcTransport.layer`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RpcTransportOptions = Schema.Struct({
  /** This node's name (the `node` of its addresses). */
  node: Schema.NonEmptyString,
  /** The interface to listen on; defaults to 127.0.0.1. */
  host: Schema.optional(Schema.String),
  /** The TCP port to listen on. */
  port: Peer.fields.port,
  /** Every other node by name. Sends to a node not listed here are dropped and counted. */
  peers: Schema.Record(Schema.String, Peer),
  /** Envelopes queued per peer before new ones are dropped; defaults to 8192. */
  outboxCapacity: Schema.optional(Schema.Int.check(Schema.isGreaterThan(0)))
})
/**
 * Options of `RpcTransport.layer`; `tls` switches to mutual TLS (see the module doc).
 *
 * @since 0.1.0
 * @category models
 */
export type RpcTransportOptions = typeof RpcTransportOptions.Type & { readonly tls?: TlsCredentials | undefined }

const decodeOptions = decodeInput(RpcTransportOptions, "RpcTransport.layer")

/** The envelope as it crosses the wire. */
type WireEnvelope = typeof WireEnvelope.Type

/** A bound on the wire characters of `envelope` inside a batch line (its strings at most double when escaped). */
const wireChars = (envelope: WireEnvelope): number =>
  128 +
  2 *
    (envelope.message.length +
      envelope.from.node.length +
      envelope.from.id.length +
      envelope.to.node.length +
      envelope.to.id.length +
      (envelope.trace?.length ?? 0))

/** `envelopes` in order, in batches of at most `BATCH_CHARS` estimated wire characters each. */
const chunks = (envelopes: ReadonlyArray<WireEnvelope>): Array<ReadonlyArray<WireEnvelope>> => {
  const out: Array<Array<WireEnvelope>> = []
  let size = Infinity
  for (const envelope of envelopes) {
    const chars = wireChars(envelope)
    if (size + chars > BATCH_CHARS) {
      out.push([])
      size = 0
    }
    ;(out[out.length - 1] as Array<WireEnvelope>).push(envelope)
    size += chars
  }
  return out
}

/** `message` as JSON text, or undefined when it has none (a function, a BigInt, a cycle). */
const toJson = (message: unknown): string | undefined => {
  try {
    return JSON.stringify(message) as string | undefined
  } catch {
    return undefined
  }
}

/**
 * Builds the transport of one node in the current scope: its server listens until the scope
 * closes, its sender fibers (one per peer) are interrupted then.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  input: RpcTransportOptions
): Effect.Effect<
  Transport["Service"],
  InvalidInput | TlsCredentialsError | SocketServer.SocketServerError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const options = yield* decodeOptions(input)
    const tls = input.tls
    const node = options.node
    const host = options.host ?? "127.0.0.1"
    if (tls !== undefined) yield* verify(tls, { host })
    const local = makeLocal(node)
    const capacity = options.outboxCapacity ?? 8_192
    let sentRemote = 0
    let dropped = 0
    // Arrivals go through `local.send`, which counts them as sent: `stats` takes them back out.
    let arrived = 0

    const audit = Option.getOrUndefined(yield* Effect.serviceOption(AuditLog))
    // The CRL counts only if the CA signed it (the CA itself was checked by `verify` above).
    const crl =
      tls?.crl === undefined ? Result.succeed(new Set<string>()) : revokedSerials(tls.crl, new X509Certificate(tls.ca))
    if (Result.isFailure(crl)) return yield* new InvalidInput({ where: "RpcTransport.layer", issue: crl.failure })
    const revoked = crl.success
    const verifyProof =
      tls === undefined ? undefined : makeVerifier(tls, node, new Set(Object.keys(options.peers)), revoked)
    const prove = tls === undefined ? undefined : makeProver(tls, node)

    // Refused envelopes count as dropped, per reason in the metric, and in one audit record per batch.
    const reject = (claimed: string, reasons: ReadonlyMap<string, number>) =>
      Effect.gen(function* () {
        let count = 0
        for (const [reason, n] of reasons) {
          count += n
          yield* Metric.update(Metric.withAttributes(transportRejected, { reason }), n)
        }
        dropped += count
        if (audit !== undefined) {
          yield* Effect.ignore(
            audit.record({
              type: "security.transport.rejected",
              agent: claimed.slice(0, 200),
              detail: Object.fromEntries(reasons)
            })
          )
        }
      })

    // Lines discarded by the framing (too long, not JSON): counted at once, audited by a fiber.
    const metrics = yield* Effect.context<never>()
    const lineAudits = yield* Queue.dropping<readonly [LineRejection, string]>(MAX_PENDING_LINE_AUDITS)
    if (audit !== undefined) {
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.flatMap(Queue.take(lineAudits), ([reason, issue]) =>
            Effect.ignore(
              audit.record({ type: "security.transport.rejected", agent: "", detail: { [reason]: 1, issue } })
            )
          )
        )
      )
    }
    const serialization = Layer.succeed(RpcSerialization.RpcSerialization)(
      boundedNdjson(MAX_LINE_CHARS, (reason, error) => {
        dropped++
        Metric.withAttributes(transportRejected, { reason }).updateUnsafe(1, metrics)
        Queue.offerUnsafe(lineAudits, [reason, error.issue])
      })
    )

    // What one envelope of a batch from `sender` (proven, or unauthenticated without TLS) delivers.
    const admit = (
      raw: unknown,
      sender: string | undefined
    ): { readonly reason: string } | (WireEnvelope & { readonly value: unknown }) => {
      if (!isWireEnvelope(raw)) return { reason: "malformed" }
      if (sender !== undefined && raw.from.node !== sender) return { reason: "sender-mismatch" }
      if (raw.to.node !== node) return { reason: "wrong-node" }
      if (raw.message.length > MAX_MESSAGE_CHARS) return { reason: "too-large" }
      let value: unknown
      try {
        value = JSON.parse(raw.message)
      } catch {
        return { reason: "malformed" }
      }
      return checkJsonBounds(value, "RpcTransport") === undefined ? { ...raw, value } : { reason: "too-deep" }
    }

    // Incoming batches go into this node's inboxes, each envelope checked on its own.
    const handlers = TransportRpcs.toLayer({
      Deliver: ({ envelopes, proof }) =>
        Effect.gen(function* () {
          let sender: string | undefined
          if (verifyProof !== undefined) {
            const proven = verifyProof(proof, envelopes, yield* Clock.currentTimeMillis)
            if (proven._tag === "Failure") {
              return yield* reject(proof?.node ?? "", new Map([[`proof-${proven.failure}`, envelopes.length]]))
            }
            sender = proven.success
          }
          const reasons = new Map<string, number>()
          for (const raw of envelopes) {
            const admitted = admit(raw, sender)
            if ("reason" in admitted) {
              reasons.set(admitted.reason, (reasons.get(admitted.reason) ?? 0) + 1)
              continue
            }
            arrived++
            yield* local.send(admitted.from, admitted.to, admitted.value, Propagation.fromTraceparent(admitted.trace))
          }
          if (reasons.size > 0) yield* reject(sender ?? "", reasons)
        })
    })
    yield* Layer.build(
      RpcServer.layer(TransportRpcs, { disableTracing: true }).pipe(
        Layer.provide(handlers),
        Layer.provide(RpcServer.layerProtocolSocketServer),
        Layer.provide(
          tls === undefined
            ? NodeSocketServer.layer({ host, port: options.port })
            : TlsSocketServer.layer({ ...serverOptions(tls), host, port: options.port })
        ),
        Layer.provide(serialization)
      )
    )

    // One outbox and one sender fiber per peer; the fiber reconnects as the socket protocol retries.
    const outboxes = new Map<string, Mailbox<WireEnvelope>>()
    for (const [name, peer] of Object.entries(options.peers)) {
      if (name === node) continue
      // Built in this scope (not with `Effect.provide`, which would close it when `make` returns).
      const protocol = yield* Layer.build(
        RpcClient.layerProtocolSocket({ retryTransientErrors: true }).pipe(
          // The socket dials lazily (and again after a failure): building it cannot fail.
          Layer.provide(
            Layer.effect(
              Socket.Socket,
              tls === undefined
                ? NodeSocket.makeNet({ host: peer.host, port: peer.port })
                : NodeSocket.makeTls(connectOptions(tls, peer))
            )
          ),
          Layer.provide(serialization)
        )
      )
      const client = yield* RpcClient.make(TransportRpcs, { disableTracing: true }).pipe(
        Effect.provideContext(protocol)
      )
      const outbox = new Mailbox<WireEnvelope>(capacity)
      outboxes.set(name, outbox)
      // The socket protocol retries until the peer answers; a batch it rejects is dropped.
      const sendBatch = (envelopes: ReadonlyArray<WireEnvelope>) =>
        Effect.flatMap(Clock.currentTimeMillis, (at) =>
          client.Deliver(prove === undefined ? { envelopes } : { envelopes, proof: prove(name, envelopes, at) })
        ).pipe(
          Effect.catchCause(() =>
            Effect.sync(() => {
              dropped += envelopes.length
            })
          )
        )
      // A batch goes in parts that each fit well within the receiver's line limit.
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.flatMap(outbox.takeAll, (all) => Effect.forEach(chunks(all), sendBatch, { discard: true }))
        )
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => outbox.close()))
    }

    const send = (
      from: Address,
      to: Address,
      message: unknown,
      trace?: Propagation.TraceContext
    ): Effect.Effect<void> => {
      if (to.node === node) return local.send(from, to, message, trace)
      return Effect.withFiber((fiber) => {
        sentRemote++
        const outbox = outboxes.get(to.node)
        const encoded = outbox === undefined ? undefined : toJson(message)
        // A message that could not fit in a line the receiver reads is dropped here, counted (one
        // merely over MAX_MESSAGE_CHARS goes, and the receiver refuses it alone).
        const json = encoded !== undefined && 2 * encoded.length < BATCH_CHARS ? encoded : undefined
        const sentFrom = trace ?? Propagation.captureFrom(fiber.context)
        const wire: WireEnvelope =
          sentFrom === undefined
            ? { from, to, message: json ?? "" }
            : { from, to, message: json ?? "", trace: Propagation.toTraceparent(sentFrom) }
        if (outbox === undefined || json === undefined || outbox.offer(wire) !== "accepted") dropped++
        return Effect.void
      })
    }

    const bind = (id: string, bindOptions?: { readonly capacity?: number }) =>
      Effect.map(
        local.bind(id, bindOptions),
        (endpoint): Endpoint => ({
          address: endpoint.address,
          receive: endpoint.receive,
          send: (to, message) => send(endpoint.address, to, message)
        })
      )

    const stats = Effect.map(local.stats, (own) => ({
      sent: sentRemote + own.sent - arrived,
      delivered: own.delivered,
      dropped: dropped + own.dropped
    }))

    return Transport.of({ node, bind, send, stats })
  })

/**
 * The transport of one node, as a layer (see `make`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RpcTransportOptions
): Layer.Layer<Transport, InvalidInput | TlsCredentialsError | SocketServer.SocketServerError> =>
  Layer.effect(Transport, make(options))
