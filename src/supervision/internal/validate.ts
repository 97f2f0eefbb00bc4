/**
 * Validation of supervisor flags and child specs (OTP's `check_flags` / `check_childspec`): bad
 * values are typed `InvalidInput` errors at `make` / `startChild`, never a throw later.
 */
import { Cause, Duration, Effect, Exit, Option, Schema } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import type { ChildSpec, Shutdown } from "../ChildSpec.ts"

const restartTypes: ReadonlyArray<string> = ["permanent", "transient", "temporary"]

/**
 * The supervisor flags `make` accepts (a subset of its options).
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly name?: unknown
  readonly strategy?: unknown
  readonly intensity?: { readonly maxRestarts: unknown; readonly within: unknown } | undefined
  readonly dynamic?: unknown
}

// Specs usually repeat one duration string ("5 seconds"): the last one parsed is remembered.
let lastText: string | undefined
let lastMillis: number | undefined

/**
 * Milliseconds of a duration given by a user, or undefined when it is not one.
 *
 * @since 0.1.0
 * @category utils
 */
export const durationMillis = (input: unknown): number | undefined => {
  if (typeof input === "string") {
    if (input !== lastText) {
      lastMillis = parseMillis(input)
      lastText = input
    }
    return lastMillis
  }
  return parseMillis(input)
}

const parseMillis = (input: unknown): number | undefined => {
  const duration = Duration.fromInput(input as Duration.Input)
  if (Option.isNone(duration)) return undefined
  const millis = Duration.toMillis(duration.value)
  return Number.isNaN(millis) ? undefined : millis
}

/** A duration a user wrote, finite and > 0 (an intensity window). */
const Window = Schema.Unknown.check(
  Schema.makeFilter((input: unknown) => {
    const millis = durationMillis(input)
    return millis !== undefined && Number.isFinite(millis) && millis > 0
      ? undefined
      : `expected a finite duration > 0, got ${String(input)}`
  })
)

/** What `Supervisor.make` accepts, as a Schema: a bad field is named in the `InvalidInput`. */
const FlagsSchema = Schema.Struct({
  name: Schema.optional(Schema.String),
  strategy: Schema.optional(Schema.Literals(["one-for-one", "one-for-all", "rest-for-one"])),
  intensity: Schema.optional(
    Schema.Struct({
      maxRestarts: Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0)),
      within: Window
    })
  ),
  dynamic: Schema.optional(Schema.Boolean)
})
const decodeFlags = Schema.decodeUnknownExit(FlagsSchema)

/**
 * Checks the flags of `Supervisor.make` with Schema: returns the problem (naming the field), or undefined.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkFlags = (where: string, flags: Flags): InvalidInput | undefined => {
  const decoded = decodeFlags(flags, { errors: "first", onExcessProperty: "ignore" })
  if (Exit.isSuccess(decoded)) return undefined
  const error = Cause.squash(decoded.cause)
  return new InvalidInput({ where, issue: error instanceof Error ? error.message : String(error) })
}

/**
 * Milliseconds a graceful stop may take: 0 for brutal kill, Infinity for infinity.
 *
 * @since 0.1.0
 * @category utils
 */
export const shutdownMillis = (shutdown: Shutdown | undefined, type: "worker" | "supervisor"): number | undefined => {
  if (shutdown === undefined) return type === "supervisor" ? Infinity : 5000
  if (shutdown === "brutal-kill") return 0
  if (shutdown === "infinity") return Infinity
  if (typeof shutdown === "number" && (!Number.isFinite(shutdown) || shutdown < 0)) return undefined
  const millis = durationMillis(shutdown)
  return millis === undefined || millis < 0 ? undefined : millis
}

/**
 * Checks a child spec given to `startChild`: returns the first problem, or undefined.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkSpec = (where: string, spec: ChildSpec<unknown>): InvalidInput | undefined => {
  const bad = (issue: string) => new InvalidInput({ where, issue })
  if (typeof spec !== "object" || spec === null) return bad("expected a child spec")
  if (typeof spec.id !== "string" || spec.id.length === 0)
    return bad(`id: expected a non-empty string, got ${String(spec.id)}`)
  if (!Effect.isEffect(spec.start)) return bad(`start: expected an effect (child "${spec.id}")`)
  if (spec.init !== undefined && !Effect.isEffect(spec.init))
    return bad(`init: expected an effect (child "${spec.id}")`)
  if (spec.restart !== undefined && !restartTypes.includes(spec.restart)) {
    return bad(`restart: expected one of ${restartTypes.join(", ")}, got ${String(spec.restart)} (child "${spec.id}")`)
  }
  if (spec.type !== undefined && spec.type !== "worker" && spec.type !== "supervisor") {
    return bad(`type: expected worker or supervisor, got ${String(spec.type)} (child "${spec.id}")`)
  }
  if (shutdownMillis(spec.shutdown, spec.type ?? "worker") === undefined) {
    return bad(
      `shutdown: expected a duration >= 0, "infinity" or "brutal-kill", got ${String(spec.shutdown)} (child "${spec.id}")`
    )
  }
  return undefined
}
