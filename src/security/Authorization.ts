/**
 * `Authorization`: capabilities granted to agents, checked before sensitive operations.
 *
 * A capability names an operation on a resource (`agent:tell:worker-1`, `agent:spawn`,
 * `budget:spend:team-a`, `ledger:transfer:acct-7`, `registry:write:ns`); grants may be patterns
 * ending in `*`. In `"enforce"` mode (the default) anything not granted is denied; in
 * `"permissive"` mode denials are audited (`security.would-deny`) but allowed, to roll security
 * out on a running system. Denials are always audited.
 *
 * Least privilege for children: `delegate(parent, child, capabilities)` gives a child only
 * capabilities its parent holds; a child starts with none.
 *
 * Bounded: `MAX_PRINCIPALS` agents with grants, `MAX_GRANTS` grants each (`grant` fails beyond).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { AuditLog } from "./AuditLog.ts"
import { Unauthorized } from "./errors.ts"
import { covers } from "./internal/match.ts"
import { AgentId, Capability } from "./schema.ts"

/**
 * Most agents holding grants.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_PRINCIPALS = 100_000
/**
 * Most grants per agent.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_GRANTS = 256

/**
 * Options of `Authorization.layerWith`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthorizationOptions = Schema.Struct({
  mode: Schema.optionalKey(Schema.Literals(["enforce", "permissive"])),
  grants: Schema.optionalKey(Schema.Record(AgentId, Schema.Array(Capability).check(Schema.isMaxLength(MAX_GRANTS))))
})
/**
 * Options of `Authorization.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationOptions = typeof AuthorizationOptions.Type

/**
 * Capability checks. Requires `AuditLog`.
 *
 * @since 0.1.0
 * @category services
 */
export class Authorization extends Context.Service<
  Authorization,
  {
    /** Grants `capability` (or pattern) to `agent`. */
    readonly grant: (agent: string, capability: string) => Effect.Effect<void, InvalidInput>
    /** Removes a grant exactly as it was given; returns whether it was held. */
    readonly revoke: (agent: string, capability: string) => Effect.Effect<boolean, InvalidInput>
    /** The grants of `agent`. */
    readonly grantsOf: (agent: string) => Effect.Effect<ReadonlyArray<string>, InvalidInput>
    /**
     * Succeeds if `agent` holds `capability`; otherwise fails with `Unauthorized` naming it
     * (in permissive mode: audits and succeeds).
     *
     * @example
     * ```ts
     * const authz = yield* Authorization
     * yield* authz.check("planner-1", "agent:spawn")
     * ```
     */
    readonly check: (agent: string, capability: string) => Effect.Effect<void, Unauthorized | InvalidInput>
    /** Whether `agent` holds `capability`: no audit record, no failure (malformed input holds nothing). */
    readonly holds: (agent: string, capability: string) => Effect.Effect<boolean>
    /** `holds`, synchronous (for the hot path of secure mode). */
    readonly holdsUnsafe: (agent: string, capability: string) => boolean
    /** Runs `effect` only if `agent` holds `capability`. */
    readonly authorize: (
      agent: string,
      capability: string
    ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Unauthorized | InvalidInput, R>
    /**
     * Grants `child` each of `capabilities`, all of which `parent` must hold (else `Unauthorized`
     * naming the first it lacks, and nothing is granted).
     */
    readonly delegate: (
      parent: string,
      child: string,
      capabilities: ReadonlyArray<string>
    ) => Effect.Effect<void, Unauthorized | InvalidInput>
  }
>()("mabeam/Authorization") {
  /** Deny by default, no grants. */
  static readonly layer: Layer.Layer<Authorization, never, AuditLog> = Layer.effect(
    Authorization,
    Effect.suspend(() => make({}))
  )
  /** With a mode and initial grants; fails with `InvalidInput` for bad options. */
  static readonly layerWith = (options: AuthorizationOptions): Layer.Layer<Authorization, InvalidInput, AuditLog> =>
    Layer.effect(Authorization, Effect.flatMap(decodeOptions(options), make))
}

const decodeOptions = decodeInput(AuthorizationOptions, "Authorization.layerWith")
const pairIn = (where: string) => decodeInput(Schema.Struct({ agent: AgentId, capability: Capability }), where)
const agentIn = (where: string) => decodeInput(AgentId, where)
const decodeDelegate = decodeInput(
  Schema.Struct({
    parent: AgentId,
    child: AgentId,
    capabilities: Schema.Array(Capability).check(Schema.isMaxLength(MAX_GRANTS))
  }),
  "Authorization.delegate"
)
const isId = (u: unknown): u is string => typeof u === "string" && u.length > 0 && u.length <= 200
const isCapability = Schema.is(Capability)

const make = (options: AuthorizationOptions) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog
    const permissive = options.mode === "permissive"
    const grants = new Map<string, Set<string>>(
      Object.entries(options.grants ?? {}).map(([agent, list]) => [agent, new Set(list)])
    )
    const holds = (agent: string, capability: string): boolean => {
      const held = grants.get(agent)
      if (held === undefined) return false
      if (held.has(capability)) return true
      for (const pattern of held) if (covers(pattern, capability)) return true
      return false
    }
    const deny = (agent: string, capability: string): Effect.Effect<void, Unauthorized> =>
      Effect.andThen(
        Effect.orDie(
          audit.record({
            type: permissive ? "security.would-deny" : "security.unauthorized",
            agent,
            detail: { capability }
          })
        ),
        permissive ? Effect.void : Effect.fail(new Unauthorized({ agent, capability }))
      )
    const checkIn = pairIn("Authorization.check")
    const check = (agent: string, capability: string): Effect.Effect<void, Unauthorized | InvalidInput> => {
      // Fast path for a granted capability (exactly or by pattern); the decoder, which builds an
      // error message, runs only when the answer is not a plain yes.
      if (isId(agent) && typeof capability === "string" && grants.get(agent)?.has(capability) === true)
        return Effect.void
      if (isId(agent) && isCapability(capability) && holds(agent, capability)) return Effect.void
      return Effect.flatMap(checkIn({ agent, capability }), (input) =>
        holds(input.agent, input.capability) ? Effect.void : deny(input.agent, input.capability)
      )
    }
    const grantIn = pairIn("Authorization.grant")
    const grant = (agent: string, capability: string) =>
      Effect.flatMap(grantIn({ agent, capability }), (input): Effect.Effect<void, InvalidInput> => {
        const held = grants.get(input.agent)
        if (held === undefined && grants.size >= MAX_PRINCIPALS) {
          return Effect.fail(
            new InvalidInput({
              where: "Authorization.grant",
              issue: `the grant table is full (${MAX_PRINCIPALS} agents)`
            })
          )
        }
        if (held !== undefined && !held.has(input.capability) && held.size >= MAX_GRANTS) {
          return Effect.fail(
            new InvalidInput({
              where: "Authorization.grant",
              issue: `agent "${input.agent}" already holds ${MAX_GRANTS} grants`
            })
          )
        }
        const set = held ?? new Set<string>()
        set.add(input.capability)
        grants.set(input.agent, set)
        return Effect.orDie(
          audit.record({ type: "security.granted", agent: input.agent, detail: { capability: input.capability } })
        )
      })
    const revokeIn = pairIn("Authorization.revoke")

    return Authorization.of({
      grant,
      revoke: (agent, capability) =>
        Effect.flatMap(revokeIn({ agent, capability }), (input) =>
          Effect.gen(function* () {
            const held = grants.get(input.agent)
            const had = held?.delete(input.capability) ?? false
            if (held !== undefined && held.size === 0) grants.delete(input.agent)
            if (had)
              yield* Effect.orDie(
                audit.record({ type: "security.revoked", agent: input.agent, detail: { capability: input.capability } })
              )
            return had
          })
        ),
      grantsOf: (agent) =>
        Effect.map(agentIn("Authorization.grantsOf")(agent), (id) => Array.from(grants.get(id) ?? [])),
      check,
      holds: (agent, capability) =>
        Effect.sync(() => isId(agent) && typeof capability === "string" && holds(agent, capability)),
      holdsUnsafe: (agent, capability) => isId(agent) && typeof capability === "string" && holds(agent, capability),
      authorize: (agent, capability) => (effect) => Effect.andThen(check(agent, capability), effect),
      delegate: (parent, child, capabilities) =>
        Effect.flatMap(decodeDelegate({ parent, child, capabilities }), (input) =>
          Effect.gen(function* () {
            for (const capability of input.capabilities) {
              if (!holds(input.parent, capability)) {
                yield* Effect.orDie(
                  audit.record({
                    type: "security.unauthorized",
                    agent: input.parent,
                    detail: { capability, delegateTo: input.child }
                  })
                )
                return yield* new Unauthorized({ agent: input.parent, capability })
              }
            }
            const existing = grants.get(input.child)?.size ?? 0
            if (existing + input.capabilities.length > MAX_GRANTS) {
              return yield* new InvalidInput({
                where: "Authorization.delegate",
                issue: `agent "${input.child}" would hold more than ${MAX_GRANTS} grants`
              })
            }
            for (const capability of input.capabilities) yield* grant(input.child, capability)
          })
        )
    })
  })
