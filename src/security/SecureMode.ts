/**
 * `SecureMode`: the one switch that makes services check who calls them.
 *
 * A service built while `SecureMode` is in its context (the ledger, the registry) asks it, inside
 * every state-changing operation, for the verified caller and that caller's capability. The caller
 * is proven by a runtime-issued token (`Tokens`) carried in the fiber's context by `actAs`: the
 * token is re-verified on every check, so a forged, expired or revoked token is refused, and a
 * caller with no token is `anonymous`. A denial is a typed `Unauthorized` error plus an audit
 * record (`security.unauthorized`).
 *
 * The check happens inside the service, not in a wrapper: code holding the raw service still goes
 * through it. A service built WITHOUT `SecureMode` in context checks nothing (see README's threat
 * model for what that leaves open).
 *
 * @example
 * ```ts
 * const secure = yield* SecureMode
 * const token = yield* tokens.issue("alice")
 * yield* secure.actAs(token)(ledger.transfer({ from: "alice", to: "bob", amount: 5n }))
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer } from "effect"
import type { InvalidInput } from "../errors/index.ts"
import { AuditLog, type AuditLogOptions } from "./AuditLog.ts"
import { Authorization, type AuthorizationOptions } from "./Authorization.ts"
import { Unauthorized } from "./errors.ts"
import { Tokens, type TokenOptions } from "./Tokens.ts"

/**
 * The name a caller without a valid token is checked as. It never holds a grant.
 *
 * @since 0.1.0
 * @category constants
 */
export const ANONYMOUS = "anonymous"

/**
 * The token of the fiber's caller, if any. Set it with `SecureMode.actAs`; a value set by hand is
 * only as good as the token: it is verified on every use.
 *
 * @since 0.1.0
 * @category utils
 */
export const CallerToken = Context.Reference<string | undefined>("mabeam/CallerToken", {
  defaultValue: () => undefined
})

/**
 * The secure-mode checks services consult. Requires `Tokens`, `Authorization` and `AuditLog`.
 *
 * @since 0.1.0
 * @category services
 */
export class SecureMode extends Context.Service<
  SecureMode,
  {
    /** Runs `effect` as the agent `token` proves; the token is checked where it is used. */
    readonly actAs: (token: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    /** The verified caller of the current fiber (`ANONYMOUS` without a valid token). */
    readonly caller: Effect.Effect<string>
    /**
     * Succeeds with the verified caller if it holds `capability`; otherwise audits and fails with
     * `Unauthorized` naming the caller and the capability.
     */
    readonly require: (capability: string) => Effect.Effect<string, Unauthorized>
    /** Whether `agent` holds `capability` (no audit record, no failure). */
    readonly holds: (agent: string, capability: string) => Effect.Effect<boolean>
    /** Audits and fails: `agent` may not do `capability` (for checks a service decides itself, such as ownership). */
    readonly deny: (agent: string, capability: string, detail?: string) => Effect.Effect<never, Unauthorized>
  }
>()("mabeam/SecureMode") {
  /** Secure mode over the `Tokens`, `Authorization` and `AuditLog` in context. */
  static readonly layer: Layer.Layer<SecureMode, never, Tokens | Authorization | AuditLog> = Layer.effect(
    SecureMode,
    Effect.suspend(() => make)
  )
}

const make = Effect.gen(function* () {
  const tokens = yield* Tokens
  const authorization = yield* Authorization
  const audit = yield* AuditLog

  // A token verified before and still valid answers synchronously; any other is verified (and audited if bad).
  const caller: Effect.Effect<string> = Effect.withFiber((fiber) => {
    const token = fiber.getRef(CallerToken)
    if (token === undefined) return Effect.succeed(ANONYMOUS)
    const claims = tokens.claimsUnsafe(token, fiber.getRef(Clock.Clock).currentTimeMillisUnsafe())
    return claims !== undefined
      ? Effect.succeed(claims.agent)
      : tokens.verify(token).pipe(
          Effect.map((verified) => verified.agent),
          Effect.orElseSucceed(() => ANONYMOUS)
        )
  })

  const deny = (agent: string, capability: string, detail?: string): Effect.Effect<never, Unauthorized> =>
    Effect.andThen(
      Effect.orDie(
        audit.record({
          type: "security.unauthorized",
          agent: agent.slice(0, 200),
          detail: detail === undefined ? { capability } : { capability, detail }
        })
      ),
      Effect.fail(new Unauthorized({ agent, capability }))
    )

  const check = (agent: string, capability: string): Effect.Effect<string, Unauthorized> =>
    authorization.check(agent, capability).pipe(
      Effect.as(agent),
      // `Authorization.check` already audited the denial.
      Effect.catchTag("InvalidInput", () => deny(agent, capability, "malformed capability"))
    )
  const checked = (capability: string): Effect.Effect<string, Unauthorized> =>
    Effect.flatMap(caller, (agent) => (agent === ANONYMOUS ? deny(agent, capability) : check(agent, capability)))
  // The hot path, in one synchronous step: a token verified before, still valid, whose agent holds
  // the capability. Anything else (first use, expiry, revocation, denial) takes the full path.
  const require = (capability: string): Effect.Effect<string, Unauthorized> =>
    Effect.withFiber((fiber) => {
      const token = fiber.getRef(CallerToken)
      if (token === undefined) return checked(capability)
      const claims = tokens.claimsUnsafe(token, fiber.getRef(Clock.Clock).currentTimeMillisUnsafe())
      return claims !== undefined && authorization.holdsUnsafe(claims.agent, capability)
        ? Effect.succeed(claims.agent)
        : checked(capability)
    })

  const holds = (agent: string, capability: string): Effect.Effect<boolean> =>
    agent === ANONYMOUS ? Effect.succeed(false) : authorization.holds(agent, capability)

  return SecureMode.of({
    actAs: (token) => (effect) => Effect.provideService(effect, CallerToken, token),
    caller,
    require,
    holds,
    deny
  })
})

/**
 * Options of `Security.layer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecurityOptions {
  /** Grants and mode of the `Authorization` service. */
  readonly authorization?: AuthorizationOptions
  /** TTL and rotation of the `Tokens` service. */
  readonly tokens?: TokenOptions
  /**
   * Key, checkpoints and denial budget of the `AuditLog` (persisted to the `EventStore` in context,
   * if any). Default: a random key, new for each run, so give a key to verify a store across runs.
   */
  readonly audit?: AuditLogOptions
}

/**
 * Secure mode in one layer: `SecureMode` with its `Tokens` and `Authorization` (and the `AuditLog`
 * they write to). Provide it to the ledger and registry layers to switch their checks on.
 *
 * @example
 * ```ts
 * const Secure = secureLayer({ authorization: { grants: { alice: ["ledger:transfer:alice"] } } })
 * const App = Ledger.layer.pipe(Layer.provideMerge(Secure))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const secureLayer = (
  options: SecurityOptions = {}
): Layer.Layer<SecureMode | Tokens | Authorization | AuditLog, InvalidInput> =>
  SecureMode.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(Tokens.layerWith(options.tokens ?? {}), Authorization.layerWith(options.authorization ?? {}))
    ),
    Layer.provideMerge(options.audit === undefined ? AuditLog.layer : AuditLog.layerWith(options.audit))
  )
