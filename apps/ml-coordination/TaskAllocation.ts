/**
 * Incentive-aligned task allocation: a VCG reverse auction (procurement). Agents report what each
 * task would cost them; every agent takes at most one task; each task has a reserve — the most
 * the principal will pay for it, or equivalently what leaving it undone costs. The mechanism picks
 * the assignment of minimum social cost (reported costs of assigned tasks plus reserves of the
 * tasks left open) and pays each winner the harm its absence would do:
 *
 *     payment(i) = (minimum social cost without i) − (social cost of the chosen assignment − cost(i))
 *
 * With one task this is the second-lowest reported cost, capped at the reserve. Reporting one's
 * true costs is a weakly dominant strategy, winners are paid at least their reported cost
 * (individual rationality), and a winner is never paid more than its task's reserve.
 *
 * **Ties (deterministic).** Among assignments of minimum social cost, task order decides: the first
 * task in `tasks` gets the earliest possible agent in `reports` order ("left open" counts as after
 * every agent), then the second task, and so on. Ties never change payments' truthfulness: any
 * minimum-cost rule keeps VCG truthful.
 *
 * **Limits.** At most 32 tasks and 32 reports. The assignment is exact (Hungarian algorithm over
 * `bigint` costs, with the tie rule encoded in low-order bits); one extra solve per winner.
 * `Auctions.vcg` is not reused: its XOR bundle search works on safe integers and orders ties by
 * amount, whereas here costs go up to `MAX_AMOUNT` and ties follow task order.
 *
 * @since 0.1.0
 */
import { type Duration, Effect, Schema } from "effect"
import { Agent, type AgentRef } from "../../src/agent/index.ts"
import { AccountId, Ledger, NonNegativeAmount } from "../../src/economics/index.ts"
import { decodeInput, type InvalidInput } from "../../src/errors/index.ts"
import { BudgetExhausted } from "./errors.ts"
import { minCostAssignment } from "./task-allocation/assignment.ts"

/** The most tasks one allocation accepts. */
export const MAX_TASKS = 32
/** The most cost reports (agents) one allocation accepts. */
export const MAX_REPORTS = 32

const TaskId = Schema.String.check(Schema.isBetweenLength(1, 128))

/** A task to procure: its id and its reserve (the most the principal pays; 0 means "only if free"). */
export const Task = Schema.Struct({ id: TaskId, reserve: NonNegativeAmount })
/** A task to procure. */
export type Task = typeof Task.Type

/** One agent's sealed report: its cost for each task it can do. Tasks it omits it cannot do. */
export const CostReport = Schema.Struct({ agent: AccountId, costs: Schema.Record(TaskId, NonNegativeAmount) })
/** One agent's sealed report. */
export type CostReport = typeof CostReport.Type

/**
 * Input of `allocateTasks`: 1 to 32 tasks with distinct ids, at most 32 reports from distinct
 * agents, each naming only listed tasks.
 */
export const TaskAllocationInput = Schema.Struct({
  tasks: Schema.Array(Task).check(Schema.isBetweenLength(1, MAX_TASKS)),
  reports: Schema.Array(CostReport).check(Schema.isMaxLength(MAX_REPORTS))
}).check(
  Schema.makeFilter((input) => {
    const ids = new Set<string>()
    for (const task of input.tasks) {
      if (ids.has(task.id)) return `task "${task.id}" is listed twice`
      ids.add(task.id)
    }
    const agents = new Set<string>()
    for (const report of input.reports) {
      if (agents.has(report.agent)) return `agent "${report.agent}" reported twice`
      agents.add(report.agent)
      for (const task of Object.keys(report.costs)) {
        if (!ids.has(task)) return `agent "${report.agent}" reported a cost for unknown task "${task}"`
      }
    }
    return undefined
  })
)
/** Input of `allocateTasks`. */
export type TaskAllocationInput = typeof TaskAllocationInput.Type

/** One assigned task: who does it, at what reported cost, and what the principal pays them. */
export interface TaskAward {
  readonly task: string
  readonly agent: string
  readonly cost: bigint
  readonly payment: bigint
}

/**
 * The outcome. `assignment` lists the assigned tasks in task order; `payments` maps every winning
 * agent to its payment (losers are paid nothing and absent); `open` lists tasks no one took;
 * `cost` is the social cost minimised: reported costs of assigned tasks plus reserves of open ones.
 */
export interface TaskAllocation {
  readonly assignment: ReadonlyArray<TaskAward>
  readonly payments: ReadonlyMap<string, bigint>
  readonly open: ReadonlyArray<string>
  readonly cost: bigint
}

interface Instance {
  readonly tasks: ReadonlyArray<Task>
  readonly reports: ReadonlyArray<CostReport>
  readonly shift: bigint
}

const costOf = (report: CostReport, task: string): bigint | undefined =>
  Object.hasOwn(report.costs, task) ? report.costs[task] : undefined

// Rows are tasks; columns are the agents, then one "left open" column per task. The cost of a pair
// is its real cost shifted left by `shift` bits, plus a distinct power of two below that shift which
// encodes the tie rule (earlier tasks' choices in higher bits, earlier agents in lower bits).
const solve = (
  instance: Instance,
  excluded: number
): { readonly columns: ReadonlyArray<number>; readonly cost: bigint } => {
  const { tasks, reports, shift } = instance
  const n = reports.length
  const m = tasks.length
  const pair = (row: number, column: number): bigint | undefined => {
    const tie = 1n << BigInt((m - 1 - row) * (n + 1) + Math.min(column, n))
    if (column >= n) return column - n === row ? (tasks[row]!.reserve << shift) + tie : undefined
    if (column === excluded) return undefined
    const c = costOf(reports[column]!, tasks[row]!.id)
    return c === undefined ? undefined : (c << shift) + tie
  }
  const columns = minCostAssignment({ rows: m, columns: n + m, cost: pair })
  const total = columns.reduce((sum, column, row) => sum + pair(row, column)!, 0n)
  return { columns, cost: total >> shift }
}

/**
 * The mechanism on already-decoded input (no validation): use `allocateTasks` at a boundary.
 * Deterministic; see the module comment for the tie rule.
 */
export const allocateTasksUnsafe = (input: TaskAllocationInput): TaskAllocation => {
  const instance: Instance = { ...input, shift: BigInt(input.tasks.length * (input.reports.length + 1)) }
  const best = solve(instance, -1)
  const assignment: Array<TaskAward> = []
  const payments = new Map<string, bigint>()
  const open: Array<string> = []
  best.columns.forEach((column, row) => {
    const task = input.tasks[row]!
    const report = input.reports[column]
    if (report === undefined) {
      open.push(task.id)
      return
    }
    const cost = costOf(report, task.id)!
    const without = solve(instance, column).cost
    const payment = without - (best.cost - cost)
    // VCG invariants: removing an agent never lowers the minimum, and leaving its task open is
    // always possible, so cost ≤ payment ≤ reserve.
    if (payment < cost || payment > task.reserve) {
      throw new Error(`TaskAllocation: payment ${payment} for "${task.id}" outside [${cost}, ${task.reserve}]`)
    }
    assignment.push({ task: task.id, agent: report.agent, cost, payment })
    payments.set(report.agent, payment)
  })
  return { assignment, payments, open, cost: best.cost }
}

const decodeAllocation = decodeInput(TaskAllocationInput, "TaskAllocation.allocateTasks")

/**
 * Runs the VCG procurement mechanism: a minimum-social-cost assignment (one task per agent) and
 * each winner's VCG payment. Pure apart from validation; fails only with `InvalidInput` (duplicate
 * task or agent, a cost for an unknown task, limits exceeded, negative amounts).
 *
 * @example
 * ```ts
 * const outcome = yield* allocateTasks({
 *   tasks: [{ id: "label", reserve: 100n }],
 *   reports: [{ agent: "a", costs: { label: 30n } }, { agent: "b", costs: { label: 45n } }]
 * })
 * // outcome.assignment: [{ task: "label", agent: "a", cost: 30n, payment: 45n }]
 * ```
 */
export const allocateTasks = (input: TaskAllocationInput): Effect.Effect<TaskAllocation, InvalidInput> =>
  Effect.map(decodeAllocation(input), allocateTasksUnsafe)

/** Input of `procure`: the allocation and the ledger account of the principal who pays. */
export const ProcureInput = Schema.Struct({
  principal: AccountId,
  tasks: TaskAllocationInput.fields.tasks,
  reports: TaskAllocationInput.fields.reports
})
/** Input of `procure`. */
export type ProcureInput = typeof ProcureInput.Type

/** What `procure` can fail with. Every failure leaves the ledger as it was. */
export type ProcureError = InvalidInput | BudgetExhausted | Ledger.UnknownAccount | Ledger.Unauthorized

/** The allocation and the total the principal paid. */
export interface Procurement {
  readonly allocation: TaskAllocation
  readonly paid: bigint
}

const decodeProcure = decodeInput(ProcureInput, "TaskAllocation.procure")
const decodeProcureAllocation = decodeInput(TaskAllocationInput, "TaskAllocation.procure")

/**
 * Runs the mechanism among the reporting agents and settles it through the `Ledger`: the
 * principal pays each winner its VCG payment. Settlement is all-or-nothing — the total is first
 * held on the principal's account and only then split among the winners — so money is conserved
 * and a failure moves nothing. Fails with `BudgetExhausted` when the principal cannot cover the
 * total, `UnknownAccount` when the principal or a winner has no account, `InvalidInput` on bad input.
 *
 * @example
 * ```ts
 * const { allocation, paid } = yield* procure({ principal: "lab", tasks, reports })
 * ```
 */
export const procure = (input: ProcureInput): Effect.Effect<Procurement, ProcureError, Ledger.Ledger> =>
  Effect.gen(function* () {
    const { principal, ...rest } = yield* decodeProcure(input)
    const allocation = allocateTasksUnsafe(yield* decodeProcureAllocation(rest))
    const ledger = yield* Ledger.Ledger
    const asDefect = <A>(
      effect: Effect.Effect<
        A,
        Ledger.UnknownAccount | InvalidInput | Ledger.UnknownHold | Ledger.CaptureExceedsHold | Ledger.Unauthorized
      >
    ) =>
      effect.pipe(
        Effect.catchTags({
          InvalidInput: Effect.die,
          UnknownHold: Effect.die,
          CaptureExceedsHold: Effect.die
        })
      )
    // Every account must exist before any money moves, so a later capture cannot fail half-way.
    yield* asDefect(ledger.balance(principal))
    for (const award of allocation.assignment) yield* asDefect(ledger.balance(award.agent))
    const due = allocation.assignment.filter((award) => award.payment > 0n)
    const paid = due.reduce((sum, award) => sum + award.payment, 0n)
    if (paid === 0n) return { allocation, paid }
    yield* Effect.scoped(
      Effect.gen(function* () {
        const hold = yield* ledger.hold({ account: principal, amount: paid }).pipe(
          Effect.catchTags({
            InsufficientFunds: (error) =>
              Effect.fail(new BudgetExhausted({ sponsor: principal, needed: paid, available: error.available })),
            InvalidInput: Effect.die
          })
        )
        for (let i = 0; i < due.length; i++) {
          const award = due[i]!
          yield* asDefect(
            ledger.capture({ hold: hold.id, to: award.agent, amount: award.payment, keepRest: i < due.length - 1 })
          )
        }
      })
    )
    return { allocation, paid }
  })

/**
 * The request an agent answers to take part in `procureFrom`: given the tasks on offer, reply with
 * your cost for each task you can do (omit the others). Truthful answers are weakly dominant.
 *
 * @example
 * ```ts
 * handle: (state, msg, ctx) => { ctx.reply(msg, { label: 30n }); return state }
 * ```
 */
export const RequestCosts = Agent.request(
  "RequestCosts",
  { tasks: Schema.Array(Task) },
  Schema.Record(TaskId, NonNegativeAmount)
)
/** The request an agent answers to take part in `procureFrom`. */
export type RequestCosts = typeof RequestCosts.Type

/** Options of `procureFrom`: the principal, the tasks, the agents asked (their ids are their accounts). */
export interface ProcureFromOptions {
  readonly principal: string
  readonly tasks: ReadonlyArray<Task>
  readonly agents: ReadonlyArray<AgentRef<RequestCosts>>
  /** How long each agent has to answer (default 5 seconds). */
  readonly timeout?: Duration.Input
}

/** A `procure` outcome plus the agents left out, each with why (no answer, or a malformed report). */
export interface ProcurementFromAgents extends Procurement {
  readonly excluded: ReadonlyArray<{ readonly agent: string; readonly reason: string }>
}

const isCosts = Schema.is(CostReport.fields.costs)
type Answer = CostReport | { readonly agent: string; readonly reason: string }

/**
 * Asks every agent for its costs (concurrently, each with `timeout`), then runs `procure` with the
 * answers. An agent that fails, times out, or answers with a malformed report (negative cost, a
 * task not on offer) is left out of the mechanism — it cannot win and is not paid — and listed in
 * `excluded`; the others are unaffected. Fails like `procure`.
 *
 * @example
 * ```ts
 * const { allocation } = yield* procureFrom({ principal: "lab", tasks, agents: [labeller, annotator] })
 * ```
 */
export const procureFrom = (
  options: ProcureFromOptions
): Effect.Effect<ProcurementFromAgents, ProcureError, Ledger.Ledger> =>
  Effect.gen(function* () {
    const offered = new Set(options.tasks.map((task) => task.id))
    const answers = yield* Effect.forEach(
      options.agents,
      (ref) =>
        ref
          .ask(
            RequestCosts.make({ tasks: options.tasks }),
            options.timeout === undefined ? {} : { timeout: options.timeout }
          )
          .pipe(
            Effect.map(
              (costs): Answer =>
                !isCosts(costs)
                  ? { agent: ref.id, reason: "malformed report" }
                  : Object.keys(costs).some((task) => !offered.has(task))
                    ? { agent: ref.id, reason: "reported a cost for a task not on offer" }
                    : { agent: ref.id, costs }
            ),
            Effect.catch((error) => Effect.succeed<Answer>({ agent: ref.id, reason: error.message }))
          ),
      { concurrency: "unbounded" }
    )
    const reports: Array<CostReport> = []
    const excluded: Array<{ agent: string; reason: string }> = []
    for (const answer of answers) {
      if ("costs" in answer) reports.push(answer)
      else excluded.push(answer)
    }
    const outcome = yield* procure({ principal: options.principal, tasks: options.tasks, reports })
    return { ...outcome, excluded }
  })
