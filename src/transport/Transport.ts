/**
 * The Transport seam: how endpoints (agents, protocol participants) reach each other.
 *
 * Protocols are written against this interface only, so one implementation of a protocol runs
 * in-process (`Transport.layerLocal`), under the seeded fault simulator (`src/sim`) and, later,
 * across nodes. Delivery is best effort, as on a network: a message to an endpoint that does not
 * exist, or whose inbox is full, is dropped and counted, never thrown.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema, type Scope } from "effect"
import { Mailbox } from "../agent/Mailbox.ts"
import { Propagation } from "../telemetry/index.ts"

/**
 * Where a message goes: a node and an endpoint id on it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Address = Schema.Struct({ node: Schema.String, id: Schema.String })
/**
 * Where a message goes: a node and an endpoint id on it.
 *
 * @since 0.1.0
 * @category models
 */
export type Address = typeof Address.Type

/**
 * A message in flight, with its sender and receiver, and the span it was sent from (if any): a
 * receiver runs its handling under `Propagation.handleLinked(envelope.trace, ...)` to join the
 * sender's trace, on this node or another.
 *
 * @since 0.1.0
 * @category models
 */
export interface Envelope {
  readonly from: Address
  readonly to: Address
  readonly message: unknown
  readonly trace?: Propagation.TraceContext | undefined
}

/**
 * A bound endpoint: its address and its inbox.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint {
  readonly address: Address
  /** Waits for the next batch of envelopes (in arrival order). */
  readonly receive: Effect.Effect<ReadonlyArray<Envelope>>
  /** Sends from this endpoint. */
  readonly send: (to: Address, message: unknown) => Effect.Effect<void>
}

/**
 * Counts of what the transport did with messages.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportStats {
  readonly sent: number
  readonly delivered: number
  readonly dropped: number
}

/**
 * The id is already bound on this node.
 *
 * @since 0.1.0
 * @category errors
 */
export class AddressInUse extends Schema.TaggedError<AddressInUse>()("AddressInUse", {
  node: Schema.String,
  id: Schema.String
}) {
  override get message(): string {
    return `endpoint "${this.id}" is already bound on node "${this.node}"`
  }
}

/**
 * Moves messages between endpoints.
 *
 * @since 0.1.0
 * @category services
 */
export class Transport extends Context.Service<
  Transport,
  {
    /** The node this transport serves. */
    readonly node: string
    /** Binds `id` on this node for the current scope; closing the scope unbinds it. */
    readonly bind: (
      id: string,
      options?: { readonly capacity?: number }
    ) => Effect.Effect<Endpoint, AddressInUse, Scope.Scope>
    /**
     * Sends best effort: an unknown or full receiver drops the message and counts it. The envelope
     * carries `trace`, by default the sender's current span.
     */
    readonly send: (
      from: Address,
      to: Address,
      message: unknown,
      trace?: Propagation.TraceContext
    ) => Effect.Effect<void>
    /** What happened so far. */
    readonly stats: Effect.Effect<TransportStats>
  }
>()("mabeam/Transport") {
  /** The in-process transport of one node (default node `"local"`). */
  static readonly layerLocal = (node = "local"): Layer.Layer<Transport> => Layer.sync(Transport, () => makeLocal(node))
}

/**
 * `envelope` with `trace` when there is one (no `trace` key otherwise: untraced envelopes stay as they were).
 *
 * @since 0.1.0
 * @category utils
 */
export const withTrace = (envelope: Envelope, trace: Propagation.TraceContext | undefined): Envelope =>
  trace === undefined ? envelope : { ...envelope, trace }

/**
 * An in-process transport: each endpoint is a bounded mailbox (default capacity 4096; a full
 * inbox drops the newest message and counts it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLocal = (node: string): Transport["Service"] => {
  const inboxes = new Map<string, Mailbox<Envelope>>()
  let sent = 0
  let delivered = 0
  let dropped = 0

  const send = (from: Address, to: Address, message: unknown, trace?: Propagation.TraceContext) =>
    Effect.withFiber((fiber) => {
      sent++
      const inbox = to.node === node ? inboxes.get(to.id) : undefined
      const envelope = withTrace({ from, to, message }, trace ?? Propagation.captureFrom(fiber.context))
      if (inbox !== undefined && inbox.offer(envelope) === "accepted") delivered++
      else dropped++
      return Effect.void
    })

  const bind = (id: string, options?: { readonly capacity?: number }) =>
    Effect.gen(function* () {
      if (inboxes.has(id)) return yield* new AddressInUse({ node, id })
      const inbox = new Mailbox<Envelope>(options?.capacity ?? 4096)
      const address: Address = { node, id }
      yield* Effect.acquireRelease(
        Effect.sync(() => inboxes.set(id, inbox)),
        () =>
          Effect.sync(() => {
            inboxes.delete(id)
            inbox.close()
          })
      )
      return {
        address,
        receive: inbox.takeAll,
        send: (to: Address, message: unknown) => send(address, to, message)
      } satisfies Endpoint
    })

  return { node, bind, send, stats: Effect.sync(() => ({ sent, delivered, dropped })) }
}
