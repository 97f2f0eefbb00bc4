/**
 * A reusable barrier for `n` parties with generations, run by one coordinator node as a pure
 * step function.
 *
 * A party (identified by its node) sends `Arrive { generation }` (again, if no answer comes: arrival is idempotent). When
 * all `parties` arrived, the coordinator answers `Release { generation }` to everyone (at the address each arrived from) and opens the
 * next generation. If the generation is not complete `timeout` ms after its first arrival (a party
 * crashed or is cut off), it answers `Broken { generation, missing }` instead of hanging, and opens
 * the next generation. A late `Arrive` for a finished generation gets that generation's outcome
 * again (the last `keep` outcomes are remembered; older ones are answered `Broken`).
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"

/**
 * Barrier messages between parties and the coordinator.
 *
 * @since 0.1.0
 * @category models
 */
export type BarrierMessage =
  | { readonly _tag: "Arrive"; readonly generation: number }
  | { readonly _tag: "Release"; readonly generation: number }
  | { readonly _tag: "Broken"; readonly generation: number; readonly missing: ReadonlyArray<string> }

/**
 * The coordinator's state, persisted whole. Parties are identified by their node.
 *
 * @since 0.1.0
 * @category models
 */
export interface BarrierState {
  readonly parties: ReadonlyArray<string>
  readonly timeout: number
  readonly keep: number
  readonly generation: number
  /** Who arrived at the current generation, with the address to answer. */
  readonly arrived: ReadonlyArray<Address>
  readonly outcomes: ReadonlyArray<{
    readonly generation: number
    readonly released: boolean
    readonly missing: ReadonlyArray<string>
  }>
}

/**
 * Reported by the coordinator when a generation ends.
 *
 * @since 0.1.0
 * @category models
 */
export type BarrierEmit =
  | { readonly _tag: "Released"; readonly generation: number }
  | { readonly _tag: "BrokenGeneration"; readonly generation: number; readonly missing: ReadonlyArray<string> }

type Out = Output<BarrierMessage, BarrierEmit>

const close = (s: BarrierState, released: boolean, out: Array<Out>): BarrierState => {
  const missing = s.parties.filter((p) => !s.arrived.some((a) => a.node === p))
  for (const to of s.arrived) {
    out.push(
      send(
        to,
        released ? { _tag: "Release", generation: s.generation } : { _tag: "Broken", generation: s.generation, missing }
      )
    )
  }
  out.push(
    {
      _tag: "Emit",
      value: released
        ? { _tag: "Released", generation: s.generation }
        : { _tag: "BrokenGeneration", generation: s.generation, missing }
    },
    { _tag: "CancelTimer", key: "deadline" }
  )
  const outcomes = [...s.outcomes, { generation: s.generation, released, missing }].slice(-s.keep)
  return { ...s, generation: s.generation + 1, arrived: [], outcomes }
}

/**
 * One coordinator step. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const barrierStep = (
  s: BarrierState,
  e: Event<BarrierMessage>
): Step<BarrierState, BarrierMessage, BarrierEmit> => {
  const out: Array<Out> = []
  if (e._tag === "Start")
    return { state: s, outputs: s.arrived.length > 0 ? [setTimer("deadline", e.now + s.timeout)] : [] }
  if (e._tag === "Timer")
    return { state: e.key === "deadline" && s.arrived.length > 0 ? close(s, false, out) : s, outputs: out }
  const m = e.message
  const party = e.from.node
  if (m._tag !== "Arrive" || !s.parties.includes(party)) return { state: s, outputs: [] }
  if (m.generation < s.generation) {
    const outcome = s.outcomes.find((o) => o.generation === m.generation)
    out.push(
      send(
        e.from,
        outcome?.released === true
          ? { _tag: "Release", generation: m.generation }
          : { _tag: "Broken", generation: m.generation, missing: outcome?.missing ?? [] }
      )
    )
    return { state: s, outputs: out }
  }
  if (m.generation > s.generation || s.arrived.some((a) => a.node === party)) return { state: s, outputs: [] }
  if (s.arrived.length === 0) out.push(setTimer("deadline", e.now + s.timeout))
  const next = { ...s, arrived: [...s.arrived, e.from] }
  return { state: next.arrived.length === s.parties.length ? close(next, true, out) : next, outputs: out }
}

/**
 * Structural check of an inbound barrier message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBarrierMessage = (u: unknown): u is BarrierMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  const g =
    typeof o["generation"] === "number" && Number.isSafeInteger(o["generation"]) && (o["generation"] as number) >= 0
  if (o["_tag"] === "Broken")
    return g && Array.isArray(o["missing"]) && o["missing"].every((x) => typeof x === "string")
  return g && (o["_tag"] === "Arrive" || o["_tag"] === "Release")
}

/**
 * Options of a barrier coordinator.
 *
 * @since 0.1.0
 * @category models
 */
export interface BarrierOptions {
  /** The nodes of the parties (one party per node). */
  readonly parties: ReadonlyArray<string>
  /** Endpoint id of the coordinator (default `"barrier"`). */
  readonly service?: string
  /** Ms after a generation's first arrival before it is declared broken (default 1000). */
  readonly timeout?: number
  /** Outcomes of past generations remembered for late parties (default 16). */
  readonly keep?: number
}

/**
 * The barrier coordinator as a `Protocol`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeBarrier = (
  options: BarrierOptions
): Protocol<BarrierState, BarrierMessage, BarrierState, BarrierEmit> => ({
  name: options.service ?? "barrier",
  init: (_self: Address, persisted) =>
    persisted ?? {
      parties: options.parties,
      timeout: options.timeout ?? 1_000,
      keep: options.keep ?? 16,
      generation: 0,
      arrived: [],
      outcomes: []
    },
  step: barrierStep,
  persist: (s) => s,
  isMessage: isBarrierMessage
})
