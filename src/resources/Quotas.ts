/**
 * `Quotas`: per-agent and per-group limits — messages per second, concurrent asks, mailbox depth,
 * live children, handler time per run, budget — each enforced by its own policy (throttle, shed,
 * pause; see `EnforcementPolicy`). Usage is recorded in `Usage` as it happens.
 *
 * Every call names the agent it charges. Group limits are shared by the group's members and are
 * checked beside the agent's own; the first limit that refuses decides the policy.
 *
 * @since 0.1.0
 */
import { Clock, Context, Deferred, Effect, Layer, Scope } from "effect"
import type { AgentDefinition, AgentRef, SpawnError, SpawnOptions } from "../agent/index.ts"
import { AgentSystem } from "../agent/index.ts"
import { Budgets, type Ledger } from "../economics/index.ts"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import type { RateLimited, RateLimiter } from "../infrastructure/index.ts"
import { makeRateLimiter } from "../infrastructure/index.ts"
import { boundary } from "../telemetry/index.ts"
import type { QuotaExceeded } from "./errors.ts"
import { type Attempt, Engine, type Refusal, type Rule } from "./internal/engine.ts"
import { type Counters, makeCounters, type Permit } from "./internal/counters.ts"
import { Id, type Limits, QuotaConfig, type QuotaLimit } from "./schema.ts"
import { MAX_TRACKED_AGENTS, Usage } from "./Usage.ts"
import { type GuardedRef, makeGuard } from "./guard.ts"
import { type SpendError, type SpendRequest, makeSpend } from "./spend.ts"

export type { Permit } from "./internal/counters.ts"

/**
 * Most agents that may be assigned to groups at runtime; `assign` beyond it fails with `InvalidInput`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_MEMBERSHIPS = 100_000

/**
 * One applicable limit and its current use, as reported by `status`.
 *
 * @since 0.1.0
 * @category models
 */
export interface QuotaStatus {
  readonly quota: string
  readonly scope: "agent" | "group"
  readonly owner: string
  readonly limit: number
  readonly policy: QuotaLimit["policy"]
  /** Units in use now (tokens spent from the bucket for rates). */
  readonly used: number
}

/**
 * The quota service.
 *
 * @since 0.1.0
 * @category services
 */
export class Quotas extends Context.Service<
  Quotas,
  {
    /**
     * Charges `cost` (default 1) messages to `agent`'s messages-per-second quotas (agent and group).
     * Fails with `QuotaExceeded` (shed, or a throttle/pause longer than `maxWaitMillis`).
     */
    readonly check: (agent: string, cost?: number) => Effect.Effect<void, QuotaExceeded | InvalidInput>
    /**
     * Takes one unit of a counting quota (`concurrentAsks` or `spawns`) for `agent`; give it back
     * with the permit's `release` (idempotent). `acquireScoped` releases with the scope.
     */
    readonly acquire: (
      agent: string,
      quota: "concurrentAsks" | "spawns"
    ) => Effect.Effect<Permit, QuotaExceeded | InvalidInput>
    /** `acquire`, released when the current scope closes. */
    readonly acquireScoped: (
      agent: string,
      quota: "concurrentAsks" | "spawns"
    ) => Effect.Effect<void, QuotaExceeded | InvalidInput, Scope.Scope>
    /**
     * Refuses a message to `target` while its mailbox holds `depth` ≥ its `mailboxDepth` limit
     * (the sender `agent` is charged the refusal and waits if the policy says so).
     */
    readonly checkDepth: (
      agent: string,
      target: string,
      depth: () => number
    ) => Effect.Effect<void, QuotaExceeded | InvalidInput>
    /**
     * Runs one handler run of `agent` under its `cpuMillisPerRun` limit, measured on the `Clock`.
     * shed: the run is interrupted at the limit and fails; pause: the same, and the agent is paused;
     * throttle: the run completes and its overrun is waited out before the agent's next run.
     */
    readonly meter: <A, E, R>(
      agent: string,
      run: Effect.Effect<A, E, R>
    ) => Effect.Effect<A, E | QuotaExceeded | InvalidInput, R>
    /** Spends from `agent`'s budget (configured in `budgets`) through `Budgets`. */
    readonly spend: (agent: string, request: SpendRequest) => Effect.Effect<Ledger.Transfer, SpendError>
    /** Spawns a child of `parent` under its `spawns` quota; the unit comes back when the child stops. */
    readonly spawn: <S, M, E, R>(
      parent: string,
      definition: AgentDefinition<S, M, E, R>,
      options?: SpawnOptions
    ) => Effect.Effect<AgentRef<M>, SpawnError | QuotaExceeded | InvalidInput, R | AgentSystem>
    /**
     * Wraps `ref` so that messages sent through it are charged to `agent`: depth of the target,
     * messages per second and concurrent asks of the sender. No change to the agent runtime.
     *
     * @example
     * ```ts
     * const guarded = yield* quotas.guard(worker, "planner-1")
     * yield* guarded.tell(Job.make({ id: 1 }))   // may wait (throttle) or fail with QuotaExceeded
     * ```
     */
    readonly guard: <M>(ref: AgentRef<M>, agent: string) => Effect.Effect<GuardedRef<M>, InvalidInput>
    /** Puts `agent` in `group` (replacing its previous group). */
    readonly assign: (agent: string, group: string) => Effect.Effect<void, InvalidInput>
    /** Pauses `agent` for `millis` (default `pauseMillis`): its guarded operations wait. */
    readonly pause: (agent: string, millis?: number) => Effect.Effect<void, InvalidInput>
    /** Ends a pause now; returns whether the agent was paused. */
    readonly resume: (agent: string) => Effect.Effect<boolean, InvalidInput>
    /** Whether `agent` is paused now. */
    readonly isPaused: (agent: string) => Effect.Effect<boolean, InvalidInput>
    /** Every limit that applies to `agent`, with its current use. */
    readonly status: (agent: string) => Effect.Effect<ReadonlyArray<QuotaStatus>, InvalidInput>
  }
>()("mabeam/Quotas") {
  /** No limits at all (usage is still recorded). */
  static readonly layer: Layer.Layer<Quotas, never, Usage> = Layer.effect(
    Quotas,
    Effect.suspend(() => make({}))
  )
  /** Quotas with `config`; fails with `InvalidInput` for a bad configuration. Uses `Budgets` if present. */
  static readonly layerWith = (config: QuotaConfig): Layer.Layer<Quotas, InvalidInput, Usage> =>
    Layer.effect(Quotas, Effect.flatMap(decodeConfig(config), make))
}

const decodeConfig = decodeInput(QuotaConfig, "Quotas.layerWith")
const isId = (u: unknown): u is string => typeof u === "string" && u.length > 0 && u.length <= 200
const idIn = (where: string) => {
  const decode = decodeInput(Id, where)
  return (u: unknown): Effect.Effect<string, InvalidInput> => (isId(u) ? Effect.succeed(u) : decode(u))
}
const bad = (where: string, issue: string) => Effect.fail(new InvalidInput({ where, issue }))
/** `record[key]` if `record` has it as its own property (ids like "constructor" must not reach the prototype). */
const own = <V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
/** A value for an error message; never throws, whatever the input (objects without a prototype included). */
const show = (u: unknown): string =>
  typeof u === "string" || typeof u === "number" || typeof u === "boolean" || typeof u === "bigint"
    ? String(u)
    : typeof u
const isCost = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u) && u > 0

/**
 * Builds the service from a decoded configuration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: QuotaConfig) =>
  Effect.gen(function* () {
    const usage = yield* Usage
    const budgets = yield* Effect.serviceOption(Budgets.Budgets)
    const scope = yield* Scope.Scope
    const engine = new Engine(
      {
        maxWaitMillis: config.maxWaitMillis ?? 1_000,
        pauseMillis: config.pauseMillis ?? 1_000,
        maxPaused: MAX_TRACKED_AGENTS
      },
      usage.table
    )
    const pollMillis = config.pollMillis ?? 10
    const membership = new Map(Object.entries(config.membership ?? {}))
    const limitsOf = (agent: string): Limits | undefined => own(config.overrides, agent) ?? config.agents
    const groupOf = (agent: string): [string, Limits] | undefined => {
      const group = membership.get(agent)
      const limits = group === undefined ? undefined : own(config.groups, group)
      return group === undefined || limits === undefined ? undefined : [group, limits]
    }
    const agentRule = (agent: string, quota: keyof Limits): Rule | undefined => {
      const limit = limitsOf(agent)?.[quota]
      return limit === undefined ? undefined : { scope: "agent", owner: agent, quota, limit }
    }
    const groupRule = (agent: string, quota: keyof Limits): Rule | undefined => {
      const found = groupOf(agent)
      const limit = found?.[1][quota]
      return found === undefined || limit === undefined ? undefined : { scope: "group", owner: found[0], quota, limit }
    }

    // One token-bucket limiter per distinct rate policy — the default, each override, each group —
    // all known from the configuration, so the hot path is one Map.get.
    const limiters = new Map<string, RateLimiter["Service"]>()
    const rateLimits: Array<[string, QuotaLimit | undefined]> = [
      ["agent:*", config.agents?.messagesPerSecond],
      ...Object.entries(config.overrides ?? {}).map(([id, l]): [string, QuotaLimit | undefined] => [
        `agent:${id}`,
        l.messagesPerSecond
      ]),
      ...Object.entries(config.groups ?? {}).map(([id, l]): [string, QuotaLimit | undefined] => [
        `group:${id}`,
        l.messagesPerSecond
      ])
    ]
    for (const [name, limit] of rateLimits) {
      if (limit === undefined) continue
      const capacity = limit.burst ?? Math.max(1, Math.ceil(limit.limit))
      limiters.set(name, yield* makeRateLimiter(Effect.succeed({ capacity, refillPerSecond: limit.limit })))
    }
    const limiterFor = (rule: Rule): RateLimiter["Service"] => {
      const name =
        rule.scope === "group"
          ? `group:${rule.owner}`
          : own(config.overrides, rule.owner)?.messagesPerSecond === undefined
            ? "agent:*"
            : `agent:${rule.owner}`
      const limiter = limiters.get(name)
      // Every rule with a rate comes from the configuration, whose limiters were all built above.
      if (limiter === undefined) throw new Error(`mabeam/Quotas: no limiter for ${name}`)
      return limiter
    }
    const refusalOf =
      (rule: Rule) =>
      (error: RateLimited | InvalidInput): Effect.Effect<Refusal> =>
        Effect.succeed({ rule, retryAfterMillis: error._tag === "RateLimited" ? error.retryAfterMillis : pollMillis })
    const rateAttempt = (agent: string, cost: number): Attempt => {
      const own = agentRule(agent, "messagesPerSecond")
      const shared = groupRule(agent, "messagesPerSecond")
      // One bucket: a plain take (it spends nothing when it refuses).
      if (shared === undefined && own !== undefined) {
        return Effect.catch(Effect.as(limiterFor(own).take(agent, cost), undefined), refusalOf(own))
      }
      return rateAttemptShared(agent, cost, own, shared)
    }
    const rateAttemptShared = (agent: string, cost: number, own: Rule | undefined, shared: Rule | undefined): Attempt =>
      Effect.gen(function* () {
        const ownKey = agent
        const sharedKey = shared?.owner ?? ""
        // Look before taking, so a refusal by one bucket never spends the other's tokens.
        const checks: Array<[Rule, string]> = []
        if (own !== undefined) checks.push([own, ownKey])
        if (shared !== undefined) checks.push([shared, sharedKey])
        for (const [rule, key] of checks) {
          const status = yield* Effect.orDie(limiterFor(rule).status(key))
          if (status.available < cost) {
            return {
              rule,
              retryAfterMillis: Math.ceil(((cost - status.available) * 1000) / rule.limit.limit)
            } satisfies Refusal
          }
        }
        for (const [rule, key] of checks) {
          const taken = yield* Effect.result(limiterFor(rule).take(key, cost))
          if (taken._tag === "Failure") {
            const retry = taken.failure._tag === "RateLimited" ? taken.failure.retryAfterMillis : pollMillis
            return { rule, retryAfterMillis: retry } satisfies Refusal
          }
        }
        return undefined
      })
    const counters: Counters = makeCounters(pollMillis)
    const countAttempt = (agent: string, quota: "concurrentAsks" | "spawns", out: { permit?: Permit }): Attempt =>
      Effect.sync(() => {
        const result = counters.take(agent, quota, agentRule(agent, quota), groupRule(agent, quota))
        if (result._tag === "Refused") return result.refusal
        out.permit = result.permit
        return undefined
      })

    const check = (agent: unknown, cost: unknown = 1): Effect.Effect<void, QuotaExceeded | InvalidInput> =>
      Effect.flatMap(idIn("Quotas.check")(agent), (id): Effect.Effect<void, QuotaExceeded | InvalidInput> => {
        if (!isCost(cost)) return bad("Quotas.check", `cost must be a positive integer, got ${show(cost)}`)
        const burst = Math.min(
          ...[agentRule(id, "messagesPerSecond"), groupRule(id, "messagesPerSecond")].map((rule) =>
            rule === undefined ? Infinity : (rule.limit.burst ?? Math.max(1, Math.ceil(rule.limit.limit)))
          )
        )
        if (cost > burst) return bad("Quotas.check", `cost ${cost} exceeds the bucket capacity ${burst}`)
        const count = Effect.sync(() => {
          usage.table.row(id).messages += cost
        })
        if (burst === Infinity && !engine.paused.has(id)) return count
        return Effect.andThen(engine.enforce(id, rateAttempt(id, cost)), count)
      })

    const acquire = (agent: unknown, quota: unknown): Effect.Effect<Permit, QuotaExceeded | InvalidInput> =>
      Effect.flatMap(idIn("Quotas.acquire")(agent), (id): Effect.Effect<Permit, QuotaExceeded | InvalidInput> => {
        if (quota !== "concurrentAsks" && quota !== "spawns") {
          return bad("Quotas.acquire", `quota must be "concurrentAsks" or "spawns", got ${show(quota)}`)
        }
        const out: { permit?: Permit } = {}
        return Effect.suspend(() => {
          // Interruption between admission and hand-over must not leak the unit.
          return Effect.uninterruptibleMask((restore) =>
            restore(engine.enforce(id, countAttempt(id, quota, out))).pipe(
              Effect.onInterrupt(() => Effect.sync(() => out.permit?.releaseUnsafe())),
              Effect.map(() => out.permit as Permit)
            )
          )
        })
      })

    const checkDepth = (
      agent: unknown,
      target: unknown,
      depth: () => number
    ): Effect.Effect<void, QuotaExceeded | InvalidInput> =>
      Effect.flatMap(
        Effect.all([idIn("Quotas.checkDepth")(agent), idIn("Quotas.checkDepth")(target)]),
        ([id, to]): Effect.Effect<void, QuotaExceeded | InvalidInput> => {
          const rule = agentRule(to, "mailboxDepth")
          if (rule === undefined) return Effect.void
          // `depth` is the caller's code: a throw or a non-number is bad input, never a defect.
          const read = (): number => {
            try {
              const value: unknown = depth()
              return typeof value === "number" && value >= 0 ? value : Number.NaN
            } catch {
              return Number.NaN
            }
          }
          if (Number.isNaN(read())) return bad("Quotas.checkDepth", "depth() must return a non-negative number")
          const attempt: Attempt = Effect.sync(() => {
            const current = read()
            if (current >= 0) usage.table.row(to).mailboxDepth = current
            return current < rule.limit.limit
              ? undefined
              : { rule: { ...rule, owner: to }, retryAfterMillis: pollMillis }
          })
          return engine.enforce(id, attempt)
        }
      )

    const debts = new Map<string, number>()
    const meter = <A, E, R>(
      agent: unknown,
      run: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | QuotaExceeded | InvalidInput, R> =>
      Effect.flatMap(idIn("Quotas.meter")(agent), (id) =>
        Effect.gen(function* () {
          const rule = agentRule(id, "cpuMillisPerRun")
          const debt = debts.get(id) ?? 0
          if (debt > 0) {
            debts.delete(id)
            yield* Effect.sleep(debt)
            usage.table.row(id).waitedMillis += debt
          }
          yield* engine.enforce(id, Effect.succeed(undefined))
          const start = yield* Clock.currentTimeMillis
          const charge = Effect.flatMap(Clock.currentTimeMillis, (end) =>
            Effect.sync(() => {
              usage.table.row(id).cpuMillis += end - start
              return end - start
            })
          )
          if (rule === undefined) return yield* Effect.ensuring(run, charge)
          const limit = rule.limit.limit
          if (rule.limit.policy === "throttle") {
            return yield* Effect.ensuring(
              run,
              Effect.flatMap(charge, (elapsed) =>
                Effect.sync(() => {
                  if (elapsed > limit) debts.set(id, Math.min(elapsed - limit, engine.options.maxWaitMillis))
                  if (debts.size > MAX_TRACKED_AGENTS) debts.delete(debts.keys().next().value as string)
                })
              )
            )
          }
          return yield* Effect.timeoutOrElse(Effect.ensuring(run, charge), {
            duration: limit,
            orElse: () =>
              Effect.gen(function* () {
                const now = yield* Clock.currentTimeMillis
                if (rule.limit.policy === "pause") engine.pause(id, now + engine.options.pauseMillis, rule, now)
                return yield* engine.refuse(id, rule, rule.limit.policy === "pause" ? engine.options.pauseMillis : 0)
              })
          })
        }).pipe(boundary("resources", "meter"))
      )

    const guard = makeGuard({ check, acquire, checkDepth, usage: usage.table })
    const spend = makeSpend(config, budgets, usage.table)

    const spawn = <S, M, E, R>(parent: unknown, definition: AgentDefinition<S, M, E, R>, options?: SpawnOptions) =>
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const permit = yield* acquire(parent, "spawns")
        const child = yield* Effect.onError(system.spawn(definition, options), () => permit.release)
        usage.table.row(parent as string).spawns++
        const stopped = yield* system.monitor(child as AgentRef<never>)
        // The watcher lives in the quota service's scope: it ends with it, never outlives it.
        yield* Effect.forkIn(Effect.andThen(Deferred.await(stopped), permit.release), scope)
        return child
      })

    const pauseIn = idIn("Quotas.pause")
    const resumeIn = idIn("Quotas.resume")
    const pausedIn = idIn("Quotas.isPaused")
    const statusIn = idIn("Quotas.status")
    const assignIn = idIn("Quotas.assign")

    return Quotas.of({
      check,
      acquire,
      acquireScoped: (agent, quota) =>
        Effect.asVoid(Effect.acquireRelease(acquire(agent, quota), (permit) => permit.release)),
      checkDepth,
      meter,
      spend,
      spawn,
      guard: (ref, agent) => Effect.map(idIn("Quotas.guard")(agent), (id) => guard(ref, id)),
      assign: (agent, group) =>
        Effect.flatMap(Effect.all([assignIn(agent), assignIn(group)]), ([id, g]): Effect.Effect<void, InvalidInput> => {
          if (!membership.has(id) && membership.size >= MAX_MEMBERSHIPS) {
            return bad("Quotas.assign", `the membership table is full (${MAX_MEMBERSHIPS} agents)`)
          }
          return Effect.sync(() => void membership.set(id, g))
        }),
      pause: (agent, millis) =>
        Effect.flatMap(pauseIn(agent), (id): Effect.Effect<void, InvalidInput> => {
          const duration = millis ?? engine.options.pauseMillis
          if (!isCost(duration)) return bad("Quotas.pause", `millis must be a positive integer, got ${show(millis)}`)
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.sync(() => {
              engine.pause(
                id,
                now + duration,
                { scope: "agent", owner: id, quota: "paused", limit: { limit: duration, policy: "pause" } },
                now
              )
            })
          )
        }),
      resume: (agent) => Effect.flatMap(resumeIn(agent), (id) => Effect.sync(() => engine.resume(id))),
      isPaused: (agent) =>
        Effect.flatMap(pausedIn(agent), (id) =>
          Effect.map(Clock.currentTimeMillis, (now) => engine.pauseOf(id, now) !== undefined)
        ),
      status: (agent) =>
        Effect.flatMap(statusIn(agent), (id) =>
          Effect.gen(function* () {
            const out: Array<QuotaStatus> = []
            for (const quota of [
              "messagesPerSecond",
              "concurrentAsks",
              "mailboxDepth",
              "spawns",
              "cpuMillisPerRun"
            ] as const) {
              for (const rule of [agentRule(id, quota), groupRule(id, quota)]) {
                if (rule === undefined) continue
                let used = 0
                if (quota === "messagesPerSecond") {
                  const s = yield* Effect.orDie(limiterFor(rule).status(rule.scope === "group" ? rule.owner : id))
                  used = s.capacity - s.available
                } else if (quota === "concurrentAsks" || quota === "spawns") {
                  used = counters.used(rule.scope === "group" ? `group:${rule.owner}` : `agent:${id}`, quota)
                } else if (quota === "mailboxDepth") {
                  used = usage.table.table.peek(id)?.mailboxDepth ?? 0
                }
                out.push({
                  quota,
                  scope: rule.scope,
                  owner: rule.owner,
                  limit: rule.limit.limit,
                  policy: rule.limit.policy,
                  used
                })
              }
            }
            return out
          })
        )
    })
  })
