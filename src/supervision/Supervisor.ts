/**
 * Supervisors: own child fibers, restart them by policy and strategy, stop them in order.
 *
 * A supervisor lives in a Scope. Each child runs in a fiber of its own with a scope of its own;
 * when a child exits, the supervisor decides (restart policy) whether to start it again and
 * (strategy) which siblings restart with it. More than `maxRestarts` restarts `within` a window
 * make the supervisor give up: it stops every child and fails with `RestartIntensityExceeded`,
 * which its parent sees as a child failure (escalation). Closing the scope stops the children in
 * reverse start order, each given its shutdown timeout, then interrupted.
 *
 * @since 0.1.0
 */
import { Deferred, Duration, Effect, Exit, Fiber, Option, PubSub, Queue, Schedule, Scope, Stream } from "effect"
import type { ChildSpec } from "./ChildSpec.ts"
import { DuplicateChild, RestartIntensityExceeded, SupervisorStopped, UnknownChild } from "./errors.ts"
import { Deadlines } from "./Deadlines.ts"
import { willRestart } from "./internal/policy.ts"

/**
 * Which children restart when one fails:
 * - `"one-for-one"`: only the child that exited;
 * - `"one-for-all"`: every child (the others are stopped first, in reverse order);
 * - `"rest-for-one"`: the child and every child started after it.
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/** How a supervisor behaves. Every field has a default. */
export interface SupervisorOptions {
  /** Shown in events and errors. Defaults to `"supervisor"`. */
  readonly name?: string
  /** Defaults to `"one-for-one"`. */
  readonly strategy?: Strategy
  /** At most `maxRestarts` restarts within `within`; defaults to 3 within 5 seconds. */
  readonly intensity?: { readonly maxRestarts: number; readonly within: Duration.Input }
  /** Delay before each restart of a child, per child. When it ends, the supervisor gives up. */
  readonly backoff?: Schedule.Schedule<unknown, unknown>
}

/** What a supervisor reports about its children. */
export type SupervisorEvent =
  | { readonly _tag: "ChildStarted"; readonly supervisor: string; readonly child: string; readonly incarnation: number }
  | {
    readonly _tag: "ChildExited"
    readonly supervisor: string
    readonly child: string
    readonly exit: Exit.Exit<void, unknown>
    readonly restarting: boolean
  }
  | { readonly _tag: "SupervisorFailed"; readonly supervisor: string; readonly error: RestartIntensityExceeded }

/** A snapshot of one child. */
export interface ChildInfo {
  readonly id: string
  readonly running: boolean
  readonly restarts: number
}

/** A running supervisor. */
export interface Supervisor {
  readonly name: string
  /** Starts a child now and supervises it from then on. */
  readonly startChild: <E>(spec: ChildSpec<E>) => Effect.Effect<void, DuplicateChild | SupervisorStopped>
  /** Stops a child gracefully (its `stop`, then its shutdown timeout, then interruption) and forgets it. */
  readonly stopChild: (id: string) => Effect.Effect<void, UnknownChild>
  /** The children in start order. */
  readonly children: Effect.Effect<ReadonlyArray<ChildInfo>>
  /** Completes when the supervisor stops: succeeds on shutdown, fails when it gave up. */
  readonly await: Effect.Effect<void, RestartIntensityExceeded>
  /** Lifecycle events from the moment of subscription (bounded; the oldest are dropped when a reader lags). */
  readonly events: Stream.Stream<SupervisorEvent>
}

interface Child {
  readonly spec: ChildSpec<unknown>
  fiber: Fiber.Fiber<void, unknown> | undefined
  incarnation: number
  restarts: number
  backoff: ((now: number, input: unknown) => Effect.Effect<readonly [unknown, Duration.Duration], unknown>) | undefined
}

interface Exited {
  readonly child: Child
  readonly incarnation: number
  readonly exit: Exit.Exit<void, unknown>
}

/**
 * Starts a supervisor in the current scope.
 *
 * @example
 * ```ts
 * const supervisor = yield* Supervisor.make({ strategy: "one-for-all" })
 * yield* supervisor.startChild({ id: "worker", start: worker })
 * ```
 */
export const make = (options: SupervisorOptions = {}): Effect.Effect<Supervisor, never, Scope.Scope> =>
  Effect.gen(function*() {
    const name = options.name ?? "supervisor"
    const strategy = options.strategy ?? "one-for-one"
    const maxRestarts = options.intensity?.maxRestarts ?? 3
    const withinMillis = Duration.toMillis(Duration.fromInputUnsafe(options.intensity?.within ?? "5 seconds"))
    const parent = yield* Effect.scope
    const childrenScope = yield* Scope.fork(parent)
    const exits = yield* Queue.unbounded<Exited>()
    const clock = yield* Effect.clockWith((clock) => Effect.succeed(clock))
    const deadlines = new Deadlines(() => clock.currentTimeMillisUnsafe())
    yield* Effect.forkIn(deadlines.run, childrenScope)
    const pubsub = yield* PubSub.sliding<SupervisorEvent>(1024)
    const done = yield* Deferred.make<void, RestartIntensityExceeded>()
    // A Map iterates in insertion order: it is also the start order, at O(1) per removal.
    const byId = new Map<string, Child>()
    let restartTimes: Array<number> = []
    let stopping = false

    const publish = (event: SupervisorEvent) => PubSub.publishUnsafe(pubsub, event)

    const launch = (child: Child): Effect.Effect<void> =>
      Effect.suspend(() => {
        const incarnation = ++child.incarnation
        return Effect.forkIn(Effect.scoped(child.spec.start), childrenScope).pipe(
          Effect.map((fiber) => {
            child.fiber = fiber
            fiber.addObserver((exit) => {
              // An exit already handled by `halt` (a stop or a sibling restart) needs no decision.
              if (child.incarnation === incarnation) Queue.offerUnsafe(exits, { child, incarnation, exit })
            })
            publish({ _tag: "ChildStarted", supervisor: name, child: child.spec.id, incarnation })
          })
        )
      })

    const halt = (child: Child): Effect.Effect<Exit.Exit<void, unknown> | undefined> =>
      Effect.suspend(() => {
        const fiber = child.fiber
        if (fiber === undefined) return Effect.succeed(undefined)
        child.incarnation++ // its exit is handled here, not by the control loop
        child.fiber = undefined
        if (child.spec.stop === undefined) return Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
        const timeout = Duration.toMillis(Duration.fromInputUnsafe(child.spec.shutdown ?? "5 seconds"))
        return child.spec.stop.pipe(
          Effect.andThen(Number.isFinite(timeout) ? deadlines.awaitFiber(fiber, timeout) : Effect.map(Fiber.await(fiber), Option.some)),
          Effect.flatMap((exit) =>
            Option.isSome(exit) ? Effect.succeed(exit.value) : Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
          )
        )
      })

    const forget = (child: Child, exit: Exit.Exit<void, unknown>) => {
      if (byId.get(child.spec.id) === child) byId.delete(child.spec.id)
      child.spec.onTerminated?.(exit)
    }

    const stopAll = (reason: Exit.Exit<void, unknown>) =>
      Effect.gen(function*() {
        stopping = true
        for (const child of [...byId.values()].reverse()) {
          const exit = yield* halt(child)
          forget(child, exit ?? reason)
        }
      })

    const giveUp = (child: Child) =>
      Effect.gen(function*() {
        const error = new RestartIntensityExceeded({ supervisor: name, child: child.spec.id, maxRestarts, withinMillis })
        yield* Effect.logError(error.message)
        yield* stopAll(Exit.fail(error)).pipe(Effect.withSpan("mabeam.supervision.give-up", { attributes: { supervisor: name } }))
        publish({ _tag: "SupervisorFailed", supervisor: name, error })
        yield* Deferred.fail(done, error)
      })

    const withinIntensity = (now: number): boolean => {
      restartTimes = restartTimes.filter((time) => time > now - withinMillis)
      restartTimes.push(now)
      return restartTimes.length <= maxRestarts
    }

    const backoffDelay = (child: Child, now: number, exit: Exit.Exit<void, unknown>) =>
      Effect.gen(function*() {
        if (options.backoff === undefined) return Option.some(Duration.zero)
        child.backoff ??= yield* Schedule.toStep(options.backoff)
        const step = yield* Effect.result(child.backoff(now, exit))
        return step._tag === "Success" ? Option.some(step.success[1]) : Option.none()
      })

    const restart = (child: Child) => {
      child.restarts++
      child.spec.onRestart?.()
      return launch(child)
    }

    const siblingsToRestart = (child: Child): Array<Child> => {
      if (strategy === "one-for-one") return [child]
      const all = [...byId.values()]
      return strategy === "one-for-all" ? all : all.slice(all.indexOf(child))
    }

    const onExit = ({ child, exit, incarnation }: Exited) =>
      Effect.gen(function*() {
        if (stopping || child.incarnation !== incarnation || byId.get(child.spec.id) !== child) return
        child.fiber = undefined
        const restarting = willRestart(child.spec.restart ?? "permanent", exit)
        publish({ _tag: "ChildExited", supervisor: name, child: child.spec.id, exit, restarting })
        if (!restarting) return forget(child, exit)
        const now = yield* Effect.clockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))
        const delay = yield* backoffDelay(child, now, exit)
        if (!withinIntensity(now) || Option.isNone(delay)) return yield* giveUp(child)
        if (Duration.toMillis(delay.value) > 0) yield* Effect.sleep(delay.value)
        if (stopping || byId.get(child.spec.id) !== child) return
        const group = siblingsToRestart(child)
        yield* Effect.gen(function*() {
          for (const sibling of [...group].reverse()) if (sibling !== child) yield* halt(sibling)
          for (const sibling of group) if (byId.get(sibling.spec.id) === sibling) yield* restart(sibling)
        }).pipe(Effect.withSpan("mabeam.supervision.restart", {
          attributes: { supervisor: name, child: child.spec.id, strategy, restarted: group.length }
        }))
      })

    yield* Effect.forkIn(
      Queue.take(exits).pipe(Effect.flatMap(onExit), Effect.forever({ disableYield: true })),
      childrenScope
    )
    // Registered after `childrenScope`, so it runs before it: children stop in order, then the rest.
    yield* Scope.addFinalizer(
      parent,
      Effect.suspend(() => stopping ? Effect.void : stopAll(Exit.void)).pipe(
        Effect.andThen(Deferred.succeed(done, undefined))
      )
    )

    const startChild = <E>(spec: ChildSpec<E>): Effect.Effect<void, DuplicateChild | SupervisorStopped> =>
      Effect.suspend((): Effect.Effect<void, DuplicateChild | SupervisorStopped> => {
        if (stopping) return Effect.fail(new SupervisorStopped({ supervisor: name }))
        if (byId.has(spec.id)) return Effect.fail(new DuplicateChild({ supervisor: name, child: spec.id }))
        const child: Child = { spec, fiber: undefined, incarnation: 0, restarts: 0, backoff: undefined }
        byId.set(spec.id, child)
        return launch(child)
      })

    const stopChild = (id: string): Effect.Effect<void, UnknownChild> =>
      Effect.suspend((): Effect.Effect<void, UnknownChild> => {
        const child = byId.get(id)
        if (child === undefined) return Effect.fail(new UnknownChild({ supervisor: name, child: id }))
        return halt(child).pipe(Effect.map((exit) => forget(child, exit ?? Exit.void)))
      })

    return {
      name,
      startChild,
      stopChild,
      children: Effect.sync(() =>
        Array.from(byId.values(), (child) => ({ id: child.spec.id, running: child.fiber !== undefined, restarts: child.restarts }))
      ),
      await: Deferred.await(done),
      events: Stream.fromPubSub(pubsub)
    } satisfies Supervisor
  })

/**
 * A child spec that runs a nested supervisor: `setup` starts its children, and the child fails
 * (escalates) when the nested supervisor gives up.
 *
 * @example
 * ```ts
 * yield* root.startChild(Supervisor.nested("workers", { strategy: "rest-for-one" }, (workers) =>
 *   workers.startChild({ id: "w1", start: worker })))
 * ```
 */
export const nested = <E>(
  id: string,
  options: SupervisorOptions,
  setup: (supervisor: Supervisor) => Effect.Effect<void, E, Scope.Scope>
): ChildSpec<E | RestartIntensityExceeded> => ({
  id,
  shutdown: Duration.infinity,
  start: Effect.gen(function*() {
    const supervisor = yield* make({ ...options, name: options.name ?? id })
    yield* setup(supervisor)
    yield* supervisor.await
  })
})
