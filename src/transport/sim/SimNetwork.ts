/**
 * The simulated network: one object covering many simulated nodes, each of which gets its own
 * `Transport` (`network.transport(node)` / `network.layer(node)`), so protocol code runs unchanged.
 *
 * Every send draws its fate from the seeded `Random` captured when the network is made (drop,
 * duplicate, a uniform delay in `[minDelay, maxDelay]` ms per link, which also reorders) and is
 * delivered on the `Clock` (a `TestClock` in tests) by one sleeping fiber per distinct delivery
 * instant, forked in the network's scope. Partitions and crashed nodes drop messages at send and at
 * delivery time. Everything is bounded: inboxes (`inboxCapacity`, newest dropped), messages in
 * flight (`maxInFlight`, newest dropped), and the trace sink is the caller's (see `src/sim/Trace`).
 *
 * @since 0.1.0
 */
import { Clock, Effect, FiberSet, Layer, Random, Schema, type Scope } from "effect"
import { decodeInput, InvalidInput } from "../../errors/index.ts"
import { Propagation } from "../../telemetry/index.ts"
import {
  type Address,
  AddressInUse,
  type Endpoint,
  type Envelope,
  Transport,
  type TransportStats,
  withTrace
} from "../index.ts"
import { Inbox } from "./Inbox.ts"

const Probability = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(1))
const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(3_600_000))

/**
 * Fault settings of a link (or of every link, as defaults). Delays are whole simulated ms.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LinkFaults = Schema.Struct({
  minDelay: Millis,
  maxDelay: Millis,
  drop: Probability,
  duplicate: Probability
})
/**
 * Fault settings of a link.
 *
 * @since 0.1.0
 * @category models
 */
export type LinkFaults = typeof LinkFaults.Type

/**
 * Options of `makeSimNetwork`; every field is optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SimNetworkOptions = Schema.Struct({
  defaults: Schema.optionalKey(
    Schema.Struct({
      minDelay: Schema.optionalKey(Millis),
      maxDelay: Schema.optionalKey(Millis),
      drop: Schema.optionalKey(Probability),
      duplicate: Schema.optionalKey(Probability)
    })
  ),
  inboxCapacity: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  maxInFlight: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
/**
 * Options of `makeSimNetwork`.
 *
 * @since 0.1.0
 * @category models
 */
export type SimNetworkOptions = typeof SimNetworkOptions.Type

/**
 * Where trace lines go (a `Trace` from `src/sim` fits).
 *
 * @since 0.1.0
 * @category models
 */
export interface TraceSink {
  readonly record: (line: string) => void
}

/**
 * What the simulated network did with messages.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimNetworkStats extends TransportStats {
  readonly duplicated: number
  readonly inFlight: number
}

/**
 * A simulated network of many nodes with seeded faults.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimNetwork {
  /** The `Transport` of one simulated node. */
  readonly transport: (node: string) => Transport["Service"]
  /** The `Transport` of one simulated node, as a layer. */
  readonly layer: (node: string) => Layer.Layer<Transport>
  /** Splits the nodes into groups that cannot reach each other (unlisted nodes form one more group). */
  readonly partition: (groups: ReadonlyArray<ReadonlyArray<string>>) => Effect.Effect<void>
  /** Removes every partition. */
  readonly heal: Effect.Effect<void>
  /** Marks a node down: everything to and from it is dropped until `restart`. */
  readonly crash: (node: string) => Effect.Effect<void>
  /** Marks a crashed node up again. */
  readonly restart: (node: string) => Effect.Effect<void>
  /** Whether `node` is up. */
  readonly isUp: (node: string) => boolean
  /** Overrides the faults of the directed link `from -> to`. */
  readonly setLink: (from: string, to: string, faults: LinkFaults) => Effect.Effect<void, InvalidInput>
  /** Appends a line to the trace (protocol drivers and fault schedules use it). */
  readonly record: (line: string) => void
  /** Counts so far. */
  readonly stats: Effect.Effect<SimNetworkStats>
}

interface InFlight {
  readonly seq: number
  readonly envelope: Envelope
}

const describe = (message: unknown): string =>
  typeof message === "object" && message !== null && "_tag" in message && typeof message._tag === "string"
    ? message._tag
    : typeof message

const show = (address: Address) => `${address.node}/${address.id}`

/**
 * Makes a simulated network in the current scope (its delivery fibers live there). Fails with
 * `InvalidInput` on bad options (e.g. a negative probability, `minDelay > maxDelay`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSimNetwork = (
  options: SimNetworkOptions = {},
  trace: TraceSink = { record: () => undefined }
): Effect.Effect<SimNetwork, InvalidInput, Scope.Scope> =>
  Effect.gen(function* () {
    const decoded = yield* decodeInput(SimNetworkOptions, "SimNetwork.make")(options)
    const defaults: LinkFaults = { minDelay: 1, maxDelay: 10, drop: 0, duplicate: 0, ...decoded.defaults }
    yield* checkDelays(defaults, "SimNetwork.make")
    const inboxCapacity = decoded.inboxCapacity ?? 1_024
    const maxInFlight = decoded.maxInFlight ?? 100_000
    const rng = yield* Random.Random
    const clock = yield* Clock.Clock
    const fibers = yield* FiberSet.make<void>()

    const inboxes = new Map<string, Inbox<Envelope>>()
    const links = new Map<string, LinkFaults>()
    const down = new Set<string>()
    let group = new Map<string, number>()
    const pending = new Map<number, Array<InFlight>>()
    let seq = 0
    let sent = 0
    let delivered = 0
    let dropped = 0
    let duplicated = 0
    let inFlight = 0

    const now = () => clock.currentTimeMillisUnsafe()
    const reachable = (a: string, b: string) =>
      !down.has(a) && !down.has(b) && (group.get(a) ?? -1) === (group.get(b) ?? -1)
    const drop = (item: InFlight, why: string) => {
      dropped++
      trace.record(`${now()} drop#${item.seq} ${why} ${show(item.envelope.from)}->${show(item.envelope.to)}`)
    }

    const deliverDue = (at: number) =>
      Effect.sync(() => {
        const batch = pending.get(at)
        pending.delete(at)
        if (batch === undefined) return
        for (const item of batch) {
          inFlight--
          const { from, to } = item.envelope
          if (!reachable(from.node, to.node)) drop(item, "unreachable")
          else if (inboxes.get(show(to))?.offer(item.envelope) !== true) drop(item, "no-inbox")
          else {
            delivered++
            trace.record(`${at} recv#${item.seq} ${show(from)}->${show(to)}`)
          }
        }
      })

    const schedule = (item: InFlight, at: number) => {
      if (inFlight >= maxInFlight) return Effect.sync(() => drop(item, "in-flight-full"))
      inFlight++
      const bucket = pending.get(at)
      if (bucket !== undefined) {
        bucket.push(item)
        return Effect.void
      }
      pending.set(at, [item])
      return FiberSet.run(
        fibers,
        Effect.suspend(() => Effect.sleep(Math.max(0, at - now()))).pipe(Effect.andThen(deliverDue(at)))
      ).pipe(Effect.asVoid)
    }

    const send = (
      from: Address,
      to: Address,
      message: unknown,
      sentFrom?: Propagation.TraceContext
    ): Effect.Effect<void> =>
      Effect.withFiber((fiber) => {
        sent++
        const envelope = withTrace({ from, to, message }, sentFrom ?? Propagation.captureFrom(fiber.context))
        const item: InFlight = { seq: ++seq, envelope }
        const t = now()
        if (!reachable(from.node, to.node)) {
          drop(item, "unreachable")
          return Effect.void
        }
        const faults = links.get(`${from.node}>${to.node}`) ?? defaults
        if (rng.nextDoubleUnsafe() < faults.drop) {
          drop(item, "lost")
          return Effect.void
        }
        const delay = () =>
          faults.minDelay + Math.floor(rng.nextDoubleUnsafe() * (faults.maxDelay - faults.minDelay + 1))
        const at = t + delay()
        trace.record(`${t} send#${item.seq} ${show(from)}->${show(to)} ${describe(message)} @${at}`)
        if (rng.nextDoubleUnsafe() < faults.duplicate) {
          duplicated++
          const again = t + delay()
          trace.record(`${t} dup#${item.seq} @${again}`)
          return Effect.andThen(schedule(item, at), schedule(item, again))
        }
        return schedule(item, at)
      })

    const transport = (node: string): Transport["Service"] => ({
      node,
      bind: (id: string, bindOptions?: { readonly capacity?: number }) =>
        Effect.gen(function* () {
          const address: Address = { node, id }
          const key = show(address)
          if (inboxes.has(key)) return yield* new AddressInUse({ node, id })
          const inbox = new Inbox<Envelope>(bindOptions?.capacity ?? inboxCapacity)
          yield* Effect.acquireRelease(
            Effect.sync(() => inboxes.set(key, inbox)),
            () =>
              Effect.sync(() => {
                if (inboxes.get(key) === inbox) inboxes.delete(key)
                inbox.close()
              })
          )
          return {
            address,
            receive: inbox.takeAll,
            send: (to, message) => send(address, to, message)
          } satisfies Endpoint
        }),
      send,
      stats: Effect.sync(() => ({ sent, delivered, dropped }))
    })

    const network: SimNetwork = {
      transport,
      layer: (node) => Layer.succeed(Transport, transport(node)),
      partition: (groups) =>
        Effect.sync(() => {
          group = new Map()
          groups.forEach((members, index) => members.forEach((member) => group.set(member, index)))
          trace.record(`${now()} partition ${groups.map((g) => g.join(",")).join(" | ")}`)
        }),
      heal: Effect.sync(() => {
        group = new Map()
        trace.record(`${now()} heal`)
      }),
      crash: (node) =>
        Effect.sync(() => {
          down.add(node)
          trace.record(`${now()} crash ${node}`)
        }),
      restart: (node) =>
        Effect.sync(() => {
          down.delete(node)
          trace.record(`${now()} restart ${node}`)
        }),
      isUp: (node) => !down.has(node),
      setLink: (from, to, faults) =>
        decodeInput(
          LinkFaults,
          "SimNetwork.setLink"
        )(faults).pipe(
          Effect.tap((valid) => checkDelays(valid, "SimNetwork.setLink")),
          Effect.map((valid) => {
            links.set(`${from}>${to}`, valid)
          })
        ),
      record: (line) => trace.record(line),
      stats: Effect.sync(() => ({ sent, delivered, dropped, duplicated, inFlight }))
    }
    return network
  })

const checkDelays = (faults: LinkFaults, where: string) =>
  faults.minDelay <= faults.maxDelay
    ? Effect.void
    : Effect.fail(
        new InvalidInput({ where, issue: `minDelay ${faults.minDelay} is above maxDelay ${faults.maxDelay}` })
      )
