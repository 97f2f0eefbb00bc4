/**
 * Supervision trees under a seeded fault schedule, through the public `Supervisor` API only.
 *
 * A seed decides everything: the root's strategy and intensity, its children (workers and nested
 * supervisors with workers of their own, each with a restart policy), which `init`s crash (at the
 * first start and on restarts), and a schedule of faults over simulated time: workers that fail,
 * die or return, name clashes, `terminateChild` / `restartChild` / `stopChild`, new children that
 * crash while starting, and (with `stopsDie`) stops that die during shutdown. Then the root's
 * scope closes.
 *
 * The checkers:
 * - restarts never exceed intensity: per supervisor instance, the restarts it performed (one per
 *   failure, however many siblings its strategy restarted) within any window of `within` number at
 *   most `maxRestarts`;
 * - a failed start leaves nothing: `ChildStartFailed` adds no child and no running body;
 * - a name clash changes nothing: `DuplicateChild` (or `SupervisorStopped` while the root gives
 *   up), and the clashing spec never runs;
 * - a stopped tree holds no fiber: once the root's scope closed, no child body is running and the
 *   root's `await` has completed.
 * The trace (every start, stop and fault with its simulated time) replays identically by seed.
 */
import { Effect, Exit, Option, Queue, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { ChildSpec, RestartPolicy } from "../../../src/supervision/index.ts"
import { Supervisor } from "../../../src/supervision/index.ts"
import { type Rng, rngOf } from "./rng.ts"

/** The outcome of one seed. */
export interface TreeRun {
  readonly seed: number
  readonly trace: ReadonlyArray<string>
  readonly violations: ReadonlyArray<string>
  readonly restarts: number
  readonly gaveUp: boolean
}

type Command = "fail" | "die" | "return"

interface Limits {
  readonly maxRestarts: number
  readonly withinMillis: number
}

/** A restart decision a supervisor instance reported (`ChildExited` with `restarting`), or its give-up. */
export interface Decision {
  readonly instance: string
  readonly time: number
  readonly gaveUp: boolean
}

const strategies = ["one-for-one", "one-for-all", "rest-for-one"] as const
const policies: ReadonlyArray<RestartPolicy> = ["permanent", "permanent", "transient", "temporary"]

/**
 * Restarts beyond intensity, per supervisor instance: empty when the law holds. The restarts an
 * instance performed are its restart decisions, less the last one when it gave up (that decision
 * was the one over the limit).
 */
export const intensityViolations = (
  decisions: ReadonlyArray<Decision>,
  limits: ReadonlyMap<string, Limits>
): Array<string> => {
  const byInstance = new Map<string, Array<number>>()
  for (const decision of decisions) {
    const times = byInstance.get(decision.instance) ?? []
    if (decision.gaveUp) times.pop()
    else times.push(decision.time)
    byInstance.set(decision.instance, times)
  }
  return [...byInstance].flatMap(([instance, times]) => {
    const limit = limits.get(instance)!
    return times.flatMap((time) => {
      const inWindow = times.filter((other) => other <= time && other > time - limit.withinMillis)
      return inWindow.length > limit.maxRestarts
        ? [
            `${instance}: ${inWindow.length} restarts within ${limit.withinMillis} ms at t=${time}, max ${limit.maxRestarts}`
          ]
        : []
    })
  })
}

const limitsOf = (rng: Rng): Limits => ({ maxRestarts: rng.int(1, 4), withinMillis: rng.int(1, 6) * 1000 })

/** Runs the tree scenario of `seed` (needs the `TestClock`, as `it.effect` provides). */
export const treeScenario = (
  seed: number,
  options: { readonly stopsDie?: boolean; readonly live?: (line: string) => void } = {}
): Effect.Effect<TreeRun> =>
  Effect.gen(function* () {
    const rng = rngOf(seed)
    const clock = yield* Effect.clockWith((clock) => Effect.succeed(clock))
    const start = clock.currentTimeMillisUnsafe()
    const now = () => clock.currentTimeMillisUnsafe() - start
    const trace: Array<string> = []
    const violations: Array<string> = []
    const note = (line: string) => {
      trace.push(`${now()} ${line}`)
      options.live?.(`${now()} ${line}`)
    }
    const decisions: Array<Decision> = []
    /** Records `supervisor`'s restart decisions and give-up, from now on, until `scope` closes. */
    const watch = (instance: string, supervisor: Supervisor.Supervisor) =>
      Effect.forkScoped(
        Stream.runForEach(supervisor.events, (event) =>
          Effect.sync(() => {
            if (event._tag === "ChildExited" && event.restarting)
              decisions.push({ instance, time: now(), gaveUp: false })
            if (event._tag === "SupervisorFailed") decisions.push({ instance, time: now(), gaveUp: true })
          })
        )
      ).pipe(Effect.andThen(Effect.yieldNow))
    const limits = new Map<string, Limits>()
    const inboxes = new Map<string, Queue.Queue<Command>>()
    const supervisors = new Map<string, Supervisor.Supervisor>()
    const instances = new Map<string, number>()
    let running = 0
    let restarted = 0
    const runningUnder = new Map<string, number>()
    const runningAt = (prefix: string) =>
      [...runningUnder].reduce(
        (sum, [path, count]) => (path === prefix || path.startsWith(`${prefix}/`) ? sum + count : sum),
        0
      )

    const inboxOf = (path: string) =>
      Effect.suspend(() => {
        const existing = inboxes.get(path)
        if (existing !== undefined) return Effect.succeed(existing)
        return Effect.tap(Queue.bounded<Command>(4), (queue) => Effect.sync(() => inboxes.set(path, queue)))
      })

    const worker = (path: string, id: string, initCrashRate: number) =>
      Effect.map(inboxOf(path), (inbox): ChildSpec<string> => {
        const stopDies = rng.chance(0.1) && options.stopsDie === true
        return {
          id,
          restart: rng.pick(policies),
          shutdown: rng.chance(0.3) ? "brutal-kill" : "1 second",
          init: Effect.suspend(() => (rng.chance(initCrashRate) ? Effect.fail(`${path} init crashed`) : Effect.void)),
          start: Effect.gen(function* () {
            yield* Effect.acquireRelease(
              Effect.sync(() => {
                running++
                runningUnder.set(path, (runningUnder.get(path) ?? 0) + 1)
                note(`start ${path}`)
              }),
              () =>
                Effect.sync(() => {
                  running--
                  runningUnder.set(path, runningUnder.get(path)! - 1)
                  note(`stop ${path}`)
                })
            )
            const command = yield* Queue.take(inbox)
            if (command === "fail") return yield* Effect.fail(`${path} failed`)
            if (command === "die") return yield* Effect.die(new Error(`${path} died`))
          }),
          stop: stopDies
            ? Effect.sync(() => note(`stop-crash ${path}`)).pipe(
                Effect.andThen(Effect.die(new Error(`${path} stop died`)))
              )
            : Effect.sync(() => void Queue.offerUnsafe(inbox, "return")),
          onRestart: () => restarted++
        }
      })

    const instanceOf = (path: string): string => {
      const next = (instances.get(path) ?? 0) + 1
      instances.set(path, next)
      return `${path}#${next}`
    }

    const nestedSpec = (path: string, id: string): ChildSpec<unknown> => {
      const options = { strategy: rng.pick(strategies), ...limitsOf(rng) }
      const count = rng.int(1, 3)
      const spec = Supervisor.nested(
        id,
        {
          name: path,
          strategy: options.strategy,
          intensity: { maxRestarts: options.maxRestarts, within: options.withinMillis }
        },
        (supervisor) =>
          Effect.gen(function* () {
            const instance = instanceOf(path)
            limits.set(instance, options)
            supervisors.set(path, supervisor)
            yield* watch(instance, supervisor)
            for (let index = 0; index < count; index++) {
              yield* supervisor.startChild(yield* worker(`${path}/w${index}`, `w${index}`, 0.05))
            }
          })
      )
      return { ...spec, onRestart: () => restarted++ }
    }

    const scope = yield* Scope.make()
    const rootLimits = limitsOf(rng)
    const root = yield* Supervisor.make({
      name: "root",
      strategy: rng.pick(strategies),
      intensity: { maxRestarts: rootLimits.maxRestarts, within: rootLimits.withinMillis }
    }).pipe(Effect.orDie, Scope.provide(scope))
    limits.set("root#1", rootLimits)
    supervisors.set("root", root)
    yield* watch("root#1", root).pipe(Scope.provide(scope))
    let nextId = 0

    /** Starts a new child of `root`: a worker (perhaps one whose init crashes) or a nested supervisor. */
    const startNew = Effect.gen(function* () {
      const id = `c${nextId++}`
      const spec = rng.chance(0.3) ? nestedSpec(`root/${id}`, id) : yield* worker(`root/${id}`, id, 0.15)
      const started = yield* Effect.exit(root.startChild(spec))
      note(`startChild ${id}: ${Exit.isSuccess(started) ? "ok" : "failed"}`)
      if (Exit.isFailure(started)) {
        const children = yield* root.children
        if (children.some((child) => child.id === id)) violations.push(`a failed start left ${id} among the children`)
        if (runningAt(`root/${id}`) !== 0) violations.push(`a failed start of ${id} left a running body`)
      }
    })

    /** Starts a child under an id that is taken: nothing may change. */
    const clash = Effect.gen(function* () {
      const children = yield* root.children
      if (children.length === 0) return
      const taken = rng.pick(children).id
      const result = yield* Effect.exit(root.startChild(yield* worker("root/clash", taken, 0)))
      note(`clash ${taken}`)
      const error = Exit.isFailure(result) ? Option.getOrUndefined(Exit.findErrorOption(result))?._tag : undefined
      // A root that is giving up (stopping its children) rejects every start as SupervisorStopped.
      if (error !== "DuplicateChild" && error !== "SupervisorStopped") {
        violations.push(`startChild with the taken id ${taken} was not rejected: ${error ?? "started"}`)
      }
      if (runningAt("root/clash") !== 0) violations.push(`a name clash on ${taken} started a body`)
    })

    /** Commands a running worker, anywhere in the tree, to fail, die or return. */
    const crash = Effect.gen(function* () {
      const paths = [...supervisors.keys()].sort()
      const path = rng.pick(paths)
      const supervisor = supervisors.get(path)!
      const workers = (yield* supervisor.children).filter((child) => child.running && child.type === "worker")
      if (workers.length === 0) return
      const target = `${path}/${rng.pick(workers).id}`
      const command = rng.pick(["fail", "fail", "die", "return"] as const)
      note(`${command} ${target}`)
      const inbox = inboxes.get(target)
      // A full inbox (commands left from an incarnation that was stopped first) drops the command.
      if (inbox !== undefined) Queue.offerUnsafe(inbox, command)
    })

    /** terminateChild, then restartChild or deleteChild; or stopChild. */
    const manage = Effect.gen(function* () {
      const children = yield* root.children
      if (children.length === 0) return
      const id = rng.pick(children).id
      const action = rng.pick(["terminate-restart", "terminate-delete", "stop"] as const)
      note(`${action} ${id}`)
      if (action === "stop") return yield* Effect.ignore(root.stopChild(id))
      yield* Effect.ignore(root.terminateChild(id))
      yield* Effect.ignore(action === "terminate-restart" ? root.restartChild(id) : root.deleteChild(id))
    })

    /**
     * Runs one step of the schedule while simulated time moves on (a stop may wait for a graceful
     * shutdown). A step still pending after 20 simulated seconds is a hang: reported, and the run
     * ends there (the stuck fiber is detached so that it cannot block the test).
     */
    const hung = (name: string, step: Effect.Effect<void>) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkDetach(step)
        for (let tick = 0; tick < 200 && fiber.pollUnsafe() === undefined; tick++) yield* TestClock.adjust(100)
        if (fiber.pollUnsafe() !== undefined) return false
        violations.push(`${name} hung: still pending after 20 simulated seconds`)
        return true
      })

    const initial = rng.int(2, 5)
    for (let index = 0; index < initial; index++) {
      if (yield* hung("startChild", startNew)) return { seed, trace, violations, restarts: 0, gaveUp: false }
    }
    const steps = rng.int(6, 18)
    const actions = [
      ["crash", crash],
      ["crash", crash],
      ["crash", crash],
      ["startChild", startNew],
      ["clash", clash],
      ["manage", manage]
    ] as const
    for (let step = 0; step < steps; step++) {
      const [name, action] = rng.pick(actions)
      if (yield* hung(name, action)) return { seed, trace, violations, restarts: 0, gaveUp: false }
      yield* TestClock.adjust(rng.int(0, 2500))
    }
    const outcome = yield* Effect.exit(Effect.raceFirst(root.await, Effect.succeed("running" as const)))
    const gaveUp = Exit.isFailure(outcome)
    note(gaveUp ? "root gave up" : "root running")
    if (gaveUp && running !== 0) violations.push(`the root gave up with ${running} child bodies still running`)

    // Shutdown may wait for graceful stops (1 s each): the clock moves while the scope closes.
    const closing = yield* Effect.forkDetach(Scope.close(scope, Exit.void))
    for (let tick = 0; tick < 200 && closing.pollUnsafe() === undefined; tick++) yield* TestClock.adjust(100)
    const closed = closing.pollUnsafe()
    if (closed === undefined) violations.push("the root's scope did not close within 20 simulated seconds")
    else if (Exit.isFailure(closed)) violations.push(`closing the root's scope failed: ${String(closed.cause)}`)
    if (running !== 0) violations.push(`a stopped tree holds ${running} running child bodies`)
    const awaited = yield* Effect.exit(Effect.raceFirst(root.await, Effect.succeed("running" as const)))
    if (Exit.isSuccess(awaited) && awaited.value === "running") violations.push("the root's await did not complete")
    violations.push(...intensityViolations(decisions, limits))
    note("closed")
    return { seed, trace, violations, restarts: restarted, gaveUp }
  })
