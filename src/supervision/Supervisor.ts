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
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Option, PubSub, Queue, Schedule, Scope, Stream } from "effect"
import { type InvalidInput, invariant } from "../errors/index.ts"
import type { ChildSpec } from "./ChildSpec.ts"
import {
  ChildRunning,
  ChildStartFailed,
  DuplicateChild,
  RestartIntensityExceeded,
  SupervisorStopped,
  UnknownChild
} from "./errors.ts"
import { Deadlines } from "./Deadlines.ts"
import { willRestart } from "./internal/policy.ts"
import type { ChildCount, ChildInfo, ChildStatus, Supervisor, SupervisorEvent, SupervisorOptions } from "./types.ts"
import { checkFlags, checkSpec, durationMillis, shutdownMillis } from "./internal/validate.ts"

export type {
  ChildCount,
  ChildInfo,
  ChildStatus,
  Strategy,
  Supervisor,
  SupervisorEvent,
  SupervisorOptions
} from "./types.ts"

interface Child {
  readonly spec: ChildSpec<unknown>
  fiber: Fiber.Fiber<void, unknown> | undefined
  status: ChildStatus
  incarnation: number
  restarts: number
  /** The current incarnation's launch: whether its `init` is done decides how `halt` stops it. */
  launch: Launch | undefined
  backoff: ((now: number, input: unknown) => Effect.Effect<readonly [unknown, Duration.Duration], unknown>) | undefined
}

interface Exited {
  readonly child: Child
  readonly incarnation: number
  readonly exit: Exit.Exit<void, unknown>
}

/** The first exit of a launch waiting on its `init`: undefined once `init` succeeded. */
type InitOutcome = Exit.Exit<void, unknown> | undefined

/** One incarnation being launched: whether its `init` succeeded, or how it ended before that. */
class Launch {
  readonly child: Child
  readonly incarnation: number
  initialized: boolean
  /** `init` has completed (or there is none): only then is the child's `stop` meaningful. */
  ready: boolean
  early: InitOutcome = undefined
  waiter: ((outcome: InitOutcome) => void) | undefined = undefined
  constructor(child: Child, incarnation: number, initialized: boolean) {
    this.child = child
    this.incarnation = incarnation
    this.initialized = initialized
    this.ready = child.spec.init === undefined
  }
  /** Wakes whoever waits for the outcome of `init`. */
  settle(outcome: InitOutcome): void {
    const wake = this.waiter
    this.waiter = undefined
    wake?.(outcome)
  }
  /** `init` succeeded. */
  initDone(): void {
    this.ready = true
    if (this.initialized) return
    this.initialized = true
    this.settle(undefined)
  }
}

/**
 * Starts a supervisor in the current scope. Bad flags (unknown strategy, an intensity below 0 or
 * not finite, a window ≤ 0 or infinite) fail with `InvalidInput` and start nothing.
 *
 * @example
 * ```ts
 * const supervisor = yield* Supervisor.make({ strategy: "one-for-all" })
 * yield* supervisor.startChild({ id: "worker", start: worker })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: SupervisorOptions = {}): Effect.Effect<Supervisor, InvalidInput, Scope.Scope> =>
  Effect.gen(function* () {
    const invalid = checkFlags("Supervisor.make", options)
    if (invalid !== undefined) return yield* invalid
    const name = options.name ?? "supervisor"
    const strategy = options.strategy ?? "one-for-one"
    const maxRestarts = options.intensity?.maxRestarts ?? 3
    const withinMillis = options.intensity === undefined ? 5000 : (durationMillis(options.intensity.within) as number)
    const parent = yield* Effect.scope
    const childrenScope = yield* Scope.fork(parent)
    // Bounded by design, not by a capacity: each incarnation queues at most one exit (a fiber's
    // observer fires once, and only for the incarnation still current), and a child's next
    // incarnation starts only once the loop took that exit (a restart) or by an explicit
    // `restartChild` — so it holds at most one exit per child plus one per user restart in flight.
    // A capacity could only drop exits, i.e. lose crashes the supervisor must decide on.
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
    const startFailed = (child: Child, exit: Exit.Exit<void, unknown>) =>
      new ChildStartFailed({
        supervisor: name,
        child: child.spec.id,
        cause: Cause.squash(Exit.isFailure(exit) ? exit.cause : Cause.empty)
      })

    // The observer and the end-of-init step hold only their `Launch` (made by these helpers, not
    // inside `launch`), so a running child keeps a few small objects alive, not launch's closures.
    const observe = (state: Launch) => (exit: Exit.Exit<void, unknown>) => {
      if (!state.initialized) {
        state.early = exit
        return state.settle(exit)
      }
      // An exit already handled by `halt` (a stop or a sibling restart) needs no decision.
      const child = state.child
      if (child.incarnation === state.incarnation)
        Queue.offerUnsafe(exits, { child, incarnation: state.incarnation, exit })
    }
    const initDone = (state: Launch) => Effect.sync(() => state.initDone())

    /**
     * Forks a fresh incarnation. With `awaitInit`, waits for the child's `init` and returns the
     * exit of an incarnation that ended before it succeeded (handled by the caller, not the loop).
     */
    const launch = (child: Child, awaitInit: boolean): Effect.Effect<InitOutcome> =>
      Effect.suspend(() => {
        const spec = child.spec
        const state = new Launch(child, ++child.incarnation, spec.init === undefined || !awaitInit)
        const body =
          spec.init === undefined
            ? spec.start
            : spec.init.pipe(Effect.andThen(initDone(state)), Effect.andThen(spec.start))
        // A start that waits for `init` runs the child at once, so an `init` that does not suspend
        // completes before the caller would wait for it (no scheduler round trip per start).
        return Effect.forkIn(Effect.scoped(body), childrenScope, { startImmediately: awaitInit }).pipe(
          Effect.flatMap((fiber) => {
            child.fiber = fiber
            child.launch = state
            child.status = "running"
            fiber.addObserver(observe(state))
            const started = Effect.sync((): InitOutcome => {
              publish({ _tag: "ChildStarted", supervisor: name, child: spec.id, incarnation: state.incarnation })
              return undefined
            })
            if (state.initialized) return started
            if (state.early !== undefined) return Effect.succeed(state.early)
            return Effect.callback<InitOutcome>((resume) => {
              if (state.initialized) return resume(started)
              if (state.early !== undefined) return resume(Effect.succeed(state.early))
              state.waiter = (outcome) => resume(outcome === undefined ? started : Effect.succeed(outcome))
            })
          })
        )
      })

    const halt = (child: Child): Effect.Effect<Exit.Exit<void, unknown> | undefined> =>
      Effect.suspend(() => {
        const fiber = child.fiber
        if (fiber === undefined) return Effect.succeed(undefined)
        child.incarnation++ // its exit is handled here, not by the control loop
        child.fiber = undefined
        child.status = "stopped"
        const type = child.spec.type ?? "worker"
        const timeout = shutdownMillis(child.spec.shutdown, type) as number
        const kill = Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
        // A child still in its `init` (a restart does not wait for it) has nothing its `stop` could
        // stop yet — a nested supervisor's would signal the previous incarnation — so it is killed.
        if (child.spec.stop === undefined || timeout === 0 || child.launch?.ready !== true) return kill
        // A stop that dies cannot stop the child gracefully: it is killed, and the
        // shutdown of the rest goes on (a stop's defect must not break closing the scope).
        return Effect.exit(child.spec.stop).pipe(
          Effect.flatMap((stopped) =>
            Exit.isSuccess(stopped)
              ? Number.isFinite(timeout)
                ? deadlines.awaitFiber(fiber, timeout)
                : Effect.map(Fiber.await(fiber), Option.some)
              : Effect.as(
                  Effect.logWarning(`supervisor "${name}": the stop of child "${child.spec.id}" failed; killing it`),
                  Option.none()
                )
          ),
          Effect.flatMap((exit) => (Option.isSome(exit) ? Effect.succeed(exit.value) : kill))
        )
      })

    /** The child ended for good: a dynamic supervisor or a temporary child forgets it. */
    const ended = (child: Child, exit: Exit.Exit<void, unknown>, keep: boolean) => {
      child.fiber = undefined
      child.status = "stopped"
      if (!keep && byId.get(child.spec.id) === child) byId.delete(child.spec.id)
      child.spec.onTerminated?.(exit)
    }
    const keepsSpec = (child: Child) => options.dynamic !== true && (child.spec.restart ?? "permanent") !== "temporary"

    const stopAll = (reason: Exit.Exit<void, unknown>) =>
      Effect.gen(function* () {
        stopping = true
        for (const child of [...byId.values()].reverse()) {
          const wasStopped = child.status === "stopped"
          const exit = yield* halt(child)
          byId.delete(child.spec.id)
          if (!wasStopped) child.spec.onTerminated?.(exit ?? reason)
        }
      })

    const giveUp = (child: Child) =>
      Effect.gen(function* () {
        const error = new RestartIntensityExceeded({
          supervisor: name,
          child: child.spec.id,
          maxRestarts,
          withinMillis
        })
        yield* Effect.logError(error.message)
        // Published when decided, like `ChildExited`: stopping the children may take their whole
        // shutdown timeouts, and a subscriber (or the supervisor's scope) may end before then.
        publish({ _tag: "SupervisorFailed", supervisor: name, error })
        yield* stopAll(Exit.fail(error)).pipe(
          Effect.withSpan("mabeam.supervision.give-up", { attributes: { supervisor: name } })
        )
        yield* Deferred.fail(done, error)
      })

    const withinIntensity = (now: number): boolean => {
      restartTimes = restartTimes.filter((time) => time > now - withinMillis)
      restartTimes.push(now)
      return restartTimes.length <= maxRestarts
    }

    const backoffDelay = (child: Child, now: number, exit: Exit.Exit<void, unknown>) =>
      Effect.gen(function* () {
        if (options.backoff === undefined) return Option.some(Duration.zero)
        child.backoff ??= yield* Schedule.toStep(options.backoff)
        const step = yield* Effect.result(child.backoff(now, exit))
        return step._tag === "Success" ? Option.some(step.success[1]) : Option.none()
      })

    const restart = (child: Child, exit: Exit.Exit<void, unknown>) => {
      invariant(
        restartTimes.length <= maxRestarts,
        `supervisor "${name}" restarts beyond its intensity (${maxRestarts} in ${withinMillis} ms)`
      )
      child.restarts++
      child.spec.onRestart?.(exit)
      return launch(child, false)
    }

    const siblingsToRestart = (child: Child): Array<Child> => {
      if (strategy === "one-for-one") return [child]
      const all = [...byId.values()].filter((sibling) => sibling === child || sibling.status !== "stopped")
      return strategy === "one-for-all" ? all : all.slice(all.indexOf(child))
    }

    const onExit = ({ child, exit, incarnation }: Exited) =>
      Effect.gen(function* () {
        if (stopping || child.incarnation !== incarnation || byId.get(child.spec.id) !== child) return
        child.fiber = undefined
        const restarting = willRestart(child.spec.restart ?? "permanent", exit)
        publish({ _tag: "ChildExited", supervisor: name, child: child.spec.id, exit, restarting })
        if (!restarting) return ended(child, exit, keepsSpec(child))
        child.status = "restarting"
        const now = yield* Effect.clockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))
        const delay = yield* backoffDelay(child, now, exit)
        if (!withinIntensity(now) || Option.isNone(delay)) return yield* giveUp(child)
        if (Duration.toMillis(delay.value) > 0) yield* Effect.sleep(delay.value)
        if (stopping || byId.get(child.spec.id) !== child) return
        const group = siblingsToRestart(child)
        yield* Effect.gen(function* () {
          for (const sibling of [...group].reverse()) {
            if (sibling === child) continue
            const siblingExit = yield* halt(sibling)
            // A temporary child is never restarted, whatever the strategy: it ends here.
            if ((sibling.spec.restart ?? "permanent") === "temporary") ended(sibling, siblingExit ?? Exit.void, false)
          }
          for (const sibling of group) {
            if (byId.get(sibling.spec.id) === sibling && sibling.fiber === undefined) yield* restart(sibling, exit)
          }
        }).pipe(
          Effect.withSpan("mabeam.supervision.restart", {
            attributes: { supervisor: name, child: child.spec.id, strategy, restarted: group.length }
          })
        )
      })

    yield* Effect.forkIn(
      Queue.take(exits).pipe(Effect.flatMap(onExit), Effect.forever({ disableYield: true })),
      childrenScope
    )
    // Registered after `childrenScope`, so it runs before it: children stop in order, then the rest.
    yield* Scope.addFinalizer(
      parent,
      Effect.suspend(() => (stopping ? Effect.void : stopAll(Exit.void))).pipe(
        Effect.andThen(Deferred.succeed(done, undefined))
      )
    )

    /** Launches `child` and waits for its `init`; a failed init leaves nothing behind. */
    const launchAwaitingInit = (child: Child, keep: boolean): Effect.Effect<void, ChildStartFailed> =>
      Effect.flatMap(launch(child, true), (early) => {
        if (early === undefined) return Effect.void
        if (byId.get(child.spec.id) === child) {
          child.incarnation++
          ended(child, early, keep)
        }
        return Effect.fail(startFailed(child, early))
      })

    const startChild = <E>(spec: ChildSpec<E>) =>
      Effect.suspend((): Effect.Effect<void, DuplicateChild | SupervisorStopped | ChildStartFailed | InvalidInput> => {
        const invalid = checkSpec(`Supervisor.startChild (${name})`, spec as ChildSpec<unknown>)
        if (invalid !== undefined) return Effect.fail(invalid)
        if (stopping) return Effect.fail(new SupervisorStopped({ supervisor: name }))
        if (byId.has(spec.id)) return Effect.fail(new DuplicateChild({ supervisor: name, child: spec.id }))
        const child: Child = {
          spec: spec as ChildSpec<unknown>,
          fiber: undefined,
          status: "running",
          incarnation: 0,
          restarts: 0,
          launch: undefined,
          backoff: undefined
        }
        byId.set(spec.id, child)
        return launchAwaitingInit(child, false)
      })

    const find = (id: string): Effect.Effect<Child, UnknownChild> =>
      Effect.suspend(() => {
        const child = byId.get(id)
        return child === undefined
          ? Effect.fail(new UnknownChild({ supervisor: name, child: id }))
          : Effect.succeed(child)
      })

    const terminate = (id: string, keep: (child: Child) => boolean): Effect.Effect<void, UnknownChild> =>
      Effect.flatMap(find(id), (child) => {
        const wasStopped = child.status === "stopped"
        return Effect.map(halt(child), (exit) => {
          if (!wasStopped) ended(child, exit ?? Exit.void, keep(child))
          else if (!keep(child)) byId.delete(id)
        })
      })

    return {
      name,
      startChild,
      stopChild: (id) => terminate(id, () => false),
      terminateChild: (id) => terminate(id, keepsSpec),
      deleteChild: (id) =>
        Effect.flatMap(find(id), (child) => {
          if (child.status !== "stopped") return Effect.fail(new ChildRunning({ supervisor: name, child: id }))
          byId.delete(id)
          return Effect.void
        }),
      restartChild: (id) =>
        Effect.flatMap(find(id), (child): Effect.Effect<void, ChildRunning | ChildStartFailed | SupervisorStopped> => {
          // Once shutdown (or a give-up) started, nothing starts: stopAll may have halted this child already.
          if (stopping) return Effect.fail(new SupervisorStopped({ supervisor: name }))
          if (child.status !== "stopped") return Effect.fail(new ChildRunning({ supervisor: name, child: id }))
          return launchAwaitingInit(child, true)
        }),
      children: Effect.sync(() =>
        Array.from(
          byId.values(),
          (child): ChildInfo => ({
            id: child.spec.id,
            running: child.status === "running",
            restarts: child.restarts,
            status: child.status,
            type: child.spec.type ?? "worker",
            restart: child.spec.restart ?? "permanent"
          })
        )
      ),
      count: Effect.sync(() => {
        let active = 0
        let supervisors = 0
        for (const child of byId.values()) {
          if (child.status === "running") active++
          if (child.spec.type === "supervisor") supervisors++
        }
        return { specs: byId.size, active, workers: byId.size - supervisors, supervisors }
      }),
      await: Deferred.await(done),
      events: Stream.fromPubSub(pubsub)
    } satisfies Supervisor
  })

/**
 * A child spec that runs a nested supervisor: `setup` starts its children (as its `init`, so the
 * parent's `startChild` returns once they run), and the child fails (escalates) with
 * `RestartIntensityExceeded` when the nested supervisor gives up. Stopped by its parent, it stops
 * its children and exits normally (OTP's `shutdown`), which no restart type restarts.
 *
 * @example
 * ```ts
 * yield* root.startChild(Supervisor.nested("workers", { strategy: "rest-for-one" }, (workers) =>
 *   workers.startChild({ id: "w1", start: worker })))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const nested = <E>(
  id: string,
  options: SupervisorOptions,
  setup: (supervisor: Supervisor) => Effect.Effect<void, E, Scope.Scope>
): ChildSpec<E | RestartIntensityExceeded | InvalidInput> => {
  let current: { readonly supervisor: Supervisor; readonly shutdown: Deferred.Deferred<void> } | undefined
  return {
    id,
    type: "supervisor",
    init: Effect.gen(function* () {
      const supervisor = yield* make({ ...options, name: options.name ?? id })
      current = { supervisor, shutdown: Deferred.makeUnsafe<void>() }
      yield* setup(supervisor)
    }),
    start: Effect.suspend(() => {
      const running = current
      if (running === undefined) return Effect.void
      return Effect.raceFirst(running.supervisor.await, Deferred.await(running.shutdown))
    }),
    stop: Effect.sync(() => {
      if (current !== undefined) Deferred.doneUnsafe(current.shutdown, Exit.void)
    })
  }
}
