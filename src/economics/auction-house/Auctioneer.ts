/**
 * The auctioneer agent: one live single-item auction (any `AuctionSpec` kind) run by an agent,
 * so bidder agents reach it with `ask`. Its handler drives the pure `liveStep`; escrow is held in
 * the Ledger within the agent's incarnation scope. If the ledger refuses the winner's payment,
 * every hold is returned, `Outcome` answers with `failed: true` and a settling `Take` is refused
 * with `SettlementFailed`.
 *
 * **Crashes.** When the auctioneer crashes, its incarnation scope closes and every escrow hold it
 * made is released: no money is ever stuck. Its supervisor then restarts it. The restarted
 * auctioneer keeps the original deadline (bids of the crashed incarnation are void, so bidders
 * bid again), and once an auction has settled it stays settled: a restart after settlement
 * answers `Outcome` with the same outcome and never sells twice. Make one definition per auction.
 *
 * The agent needs `Ledger` and a `Scope` from its spawner (the Scope is replaced by each
 * incarnation's own).
 *
 * **Secure mode.** Bids escrow as the agent's caller. Give the auctioneer its own principal with
 * `escrowAuthority` (a `Tokens` token whose agent holds `ledger:escrow:<account>` for the bidders,
 * and `ledger:transfer:<seller>` to reverse a part-way settlement): settlement and the release of
 * outbid escrow run as it. Settlement is all or nothing: a capture refused part-way reverses the
 * captures made before it, and every hold goes back.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Duration, Effect, Exit, Result, Schema, Scope } from "effect"
import { Agent, type AgentContext, type AgentRef, type AskError, type ReplyOf } from "../../agent/index.ts"
import { decodeInput, InvalidInput } from "../../errors/index.ts"
import {
  AuctionClosed,
  type AuctionEvent,
  BelowReserve,
  BidTooLow,
  DuplicateBid,
  NotBidding,
  type Outcome as AuctionOutcome,
  SettlementFailed,
  WrongAuctionKind
} from "../auctions/index.ts"
import { type Hold, InsufficientFunds, Ledger, Unauthorized, UnknownAccount } from "../ledger/index.ts"
import { AccountId, Amount } from "../money.ts"
import { asAuthority, heldBy, payWinners, releaseAll } from "./internal/escrow.ts"
import {
  type LiveError as StepError,
  liveDeadline,
  liveInit,
  liveOutcome,
  type LiveState,
  liveStep
} from "./machine.ts"
import type { AuctionSpec } from "./schema.ts"

/**
 * Everything a bid or take sent to an auctioneer can be refused with.
 *
 * @since 0.1.0
 * @category models
 */
export type AuctioneerError =
  | StepError
  | WrongAuctionKind
  | InsufficientFunds
  | UnknownAccount
  | InvalidInput
  | Unauthorized
  | SettlementFailed

/**
 * The Schema of `AuctioneerError`, so replies can cross a node boundary.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuctioneerError = Schema.Union([
  BelowReserve,
  BidTooLow,
  AuctionClosed,
  DuplicateBid,
  NotBidding,
  WrongAuctionKind,
  InsufficientFunds,
  UnknownAccount,
  InvalidInput,
  Unauthorized,
  SettlementFailed
])

/**
 * What `Outcome` answers: the current deadline (Clock ms) and the outcome once settled; `failed`
 * (present only then) when the ledger refused the winner's payment and the escrow was returned.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuctioneerStatus = Schema.Struct({
  deadline: Schema.Number,
  failed: Schema.optionalKey(Schema.Literal(true)),
  outcome: Schema.UndefinedOr(
    Schema.Struct({
      award: Schema.UndefinedOr(Schema.Struct({ winner: Schema.String, bid: Schema.BigInt, payment: Schema.BigInt }))
    })
  )
})
/**
 * What `Outcome` answers.
 *
 * @since 0.1.0
 * @category models
 */
export type AuctioneerStatus = typeof AuctioneerStatus.Type

/**
 * A request to bid `amount` (English, first-price, second-price); the reply says whether it was accepted.
 *
 * @since 0.1.0
 * @category utils
 */
export const Bid = Agent.request(
  "Bid",
  { bidder: Schema.String, amount: Schema.BigInt },
  Schema.Result(Schema.Void, AuctioneerError)
)
/**
 * A request to take a Dutch auction at the current price; the reply is the price paid or why not.
 *
 * @since 0.1.0
 * @category utils
 */
export const Take = Agent.request("Take", { bidder: Schema.String }, Schema.Result(Schema.BigInt, AuctioneerError))
/**
 * A request for the auction's state: its current deadline and, once settled, its outcome.
 *
 * @since 0.1.0
 * @category utils
 */
export const Outcome = Agent.request("Outcome", {}, AuctioneerStatus)
/**
 * Sent by the auctioneer's own timer at the deadline; harmless from anyone else (an early close does nothing).
 *
 * @since 0.1.0
 * @category utils
 */
export const Close = Agent.request("Close", {}, AuctioneerStatus)
/**
 * Every message an auctioneer accepts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuctioneerMessage = Schema.Union([Bid, Take, Outcome, Close])
/**
 * Every message an auctioneer accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type AuctioneerMessage = typeof AuctioneerMessage.Type

interface State {
  readonly live: LiveState
  readonly escrow: Map<string, Array<Hold>>
  readonly scope: Scope.Scope
}

// What outlives an incarnation: when the auction opened, and its final state once settled.
interface Memory {
  readonly openedAt: number
  final: LiveState | undefined
  /** Why the settlement failed, if the ledger refused the winner's payment. */
  failed: SettlementFailed | undefined
}

const decodeBid = decodeInput(Schema.Struct({ bidder: AccountId, amount: Amount }), "Auctioneer.bid")
const decodeTake = decodeInput(Schema.Struct({ bidder: AccountId }), "Auctioneer.take")

const closeRequest: typeof Close.Type = { _tag: "Close" }
const outcomeRequest: typeof Outcome.Type = { _tag: "Outcome" }

const statusOf = (live: LiveState, failed: SettlementFailed | undefined): AuctioneerStatus => ({
  deadline: liveDeadline(live),
  ...(failed === undefined ? {} : { failed: true }),
  outcome: liveOutcome(live)
})

/**
 * Options of `Auctioneer.make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuctioneerOptions {
  /**
   * A `Tokens` token the auctioneer settles and releases escrow with (secure mode); without it
   * these run as the agent's own caller.
   */
  readonly escrowAuthority?: string
}

/**
 * The definition of an auctioneer agent running the auction `spec`. Spawn it under a supervisor;
 * bidders use `Auctioneer.bid`, `Auctioneer.take` and `Auctioneer.status`.
 *
 * @example
 * ```ts
 * const lot = yield* system.spawn(Auctioneer.make({ kind: "second-price", id: "lot", seller: "s", reserve: 1n, duration: 1000 }))
 * yield* Auctioneer.bid(lot, { bidder: "a", amount: 40n })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (spec: AuctionSpec, options: AuctioneerOptions = {}) => {
  const memory = new Map<string, Memory>()
  const asAuctioneer = asAuthority(options.escrowAuthority)
  // Releases as the authority, then as the agent's own caller (the holds' maker) whatever the
  // authority could not release, so no hold waits for the incarnation's end.
  const release = (ledger: Ledger["Service"], holds: ReadonlyArray<Hold>) =>
    options.escrowAuthority === undefined
      ? releaseAll(ledger, holds)
      : Effect.andThen(asAuctioneer(releaseAll(ledger, holds)), releaseAll(ledger, holds))

  // Pays the winner and releases the rest. A payment the ledger refuses is no defect: every hold
  // left is released (one the ledger will not release goes back when the incarnation's scope
  // closes) and the failure is returned, to be remembered and answered typed.
  const settle = (ledger: Ledger["Service"], state: State, outcome: AuctionOutcome) =>
    Effect.gen(function* () {
      const paid = yield* Effect.exit(
        asAuctioneer(
          payWinners(ledger, spec.seller, state.escrow, (bidder) =>
            outcome.award !== undefined && bidder === outcome.award.winner ? outcome.award.payment : 0n
          )
        )
      )
      const failure = Exit.isSuccess(paid)
        ? undefined
        : new SettlementFailed({ auction: spec.id, reason: Cause.pretty(paid.cause).split("\n")[0] ?? "" })
      if (failure !== undefined) {
        yield* Effect.forEach(state.escrow.values(), (holds) => release(ledger, holds), { discard: true })
      }
      state.escrow.clear()
      return failure
    })

  // Feeds one event to the step; escrow first, so a refused hold leaves the auction unchanged.
  const apply = (state: State, event: AuctionEvent, self: string) =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const step = liveStep(state.live, event)
      for (const output of step.outputs)
        if (output._tag === "Rejected") return Result.fail<AuctioneerError>(output.error)
      let accepted: [string, Hold] | undefined
      for (const output of step.outputs) {
        if (output._tag !== "Accepted") continue
        const missing = output.amount - heldBy(state.escrow.get(output.bidder) ?? [])
        if (missing <= 0n) continue
        const hold = yield* Effect.result(
          Scope.provide(state.scope)(ledger.hold({ account: output.bidder, amount: missing }))
        )
        if (Result.isFailure(hold)) return Result.fail<AuctioneerError>(hold.failure)
        accepted = [output.bidder, hold.success]
      }
      const next: State = { ...state, live: step.state }
      if (accepted !== undefined) next.escrow.set(accepted[0], [...(next.escrow.get(accepted[0]) ?? []), accepted[1]])
      for (const output of step.outputs) {
        if (output._tag === "Outbid" && output.bidder !== accepted?.[0]) {
          yield* release(ledger, next.escrow.get(output.bidder) ?? [])
          next.escrow.delete(output.bidder)
        } else if (output._tag === "Settled") {
          const failed = yield* settle(ledger, next, output.outcome)
          const remembered = memory.get(self)
          if (remembered !== undefined) {
            remembered.final = step.state
            remembered.failed = failed
          }
        }
      }
      return Result.succeed(next)
    }).pipe(Effect.uninterruptible)

  // Asks for a close at each deadline until the auction has settled (soft close may move it).
  const timer = (self: AgentRef<AuctioneerMessage>, deadline: number): Effect.Effect<void> =>
    Effect.gen(function* () {
      let next = deadline
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        if (now < next) yield* Effect.sleep(Duration.millis(next - now))
        const answer = yield* self.ask(closeRequest)
        if (answer.outcome !== undefined) return
        next = answer.deadline
      }
    }).pipe(Effect.ignore)

  return Agent.make<State, AuctioneerMessage, never, Ledger | Scope.Scope>({
    name: "auctioneer",
    messages: AuctioneerMessage,
    capabilities: ["auctioneer"],
    initial: (ctx: AgentContext<AuctioneerMessage>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const remembered = memory.get(ctx.self.id) ?? { openedAt: now, final: undefined, failed: undefined }
        memory.set(ctx.self.id, remembered)
        const live = remembered.final ?? liveInit(spec, remembered.openedAt)
        if (liveOutcome(live) === undefined) yield* Effect.forkScoped(timer(ctx.self, liveDeadline(live)))
        const state: State = { live, escrow: new Map(), scope: yield* Effect.scope }
        return state
      }),
    handle: (state: State, msg, ctx) =>
      Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        switch (msg._tag) {
          case "Outcome":
            ctx.reply(msg, statusOf(state.live, memory.get(ctx.self.id)?.failed))
            return state
          case "Close": {
            const closed = yield* apply(state, { _tag: "Close", at }, ctx.self.id)
            const next = Result.getOrElse(closed, () => state)
            ctx.reply(msg, statusOf(next.live, memory.get(ctx.self.id)?.failed))
            return next
          }
          case "Bid": {
            const input = yield* Effect.result(decodeBid(msg))
            if (Result.isFailure(input)) return answer(ctx, msg, Result.fail(input.failure), state)
            if (spec.kind === "dutch") {
              return answer(
                ctx,
                msg,
                Result.fail(new WrongAuctionKind({ auction: spec.id, kind: "dutch", operation: "bid" })),
                state
              )
            }
            const next = yield* apply(state, { _tag: "Bid", ...input.success, at }, ctx.self.id)
            return answer(
              ctx,
              msg,
              Result.map(next, () => undefined),
              Result.getOrElse(next, () => state)
            )
          }
          case "Take": {
            const input = yield* Effect.result(decodeTake(msg))
            if (Result.isFailure(input)) return answer(ctx, msg, Result.fail(input.failure), state)
            if (spec.kind !== "dutch") {
              return answer(
                ctx,
                msg,
                Result.fail(new WrongAuctionKind({ auction: spec.id, kind: spec.kind, operation: "take" })),
                state
              )
            }
            const next = yield* apply(state, { _tag: "Take", bidder: input.success.bidder, at }, ctx.self.id)
            // A take whose payment the ledger refused is refused too (its escrow was returned).
            const failed = memory.get(ctx.self.id)?.failed
            const paid =
              Result.isSuccess(next) && failed !== undefined
                ? Result.fail(failed)
                : Result.map(next, (s) => liveOutcome(s.live)?.award?.payment ?? 0n)
            return answer(
              ctx,
              msg,
              paid,
              Result.getOrElse(next, () => state)
            )
          }
        }
      })
  })
}

const answer = <Req extends AuctioneerMessage>(
  ctx: AgentContext<AuctioneerMessage>,
  request: Req,
  value: ReplyOf<Req>,
  state: State
): State => {
  ctx.reply(request, value)
  return state
}

// Built without `make`, which would throw on bad input: the auctioneer validates and answers InvalidInput.
const bidRequest = (bidder: string, amount: bigint): typeof Bid.Type => ({ _tag: "Bid", bidder, amount })
const takeRequest = (bidder: string): typeof Take.Type => ({ _tag: "Take", bidder })

/**
 * Bids through an auctioneer; fails with why the bid was refused, or why the ask failed.
 *
 * @since 0.1.0
 * @category utils
 */
export const bid = (
  auctioneer: AgentRef<AuctioneerMessage>,
  input: { readonly bidder: string; readonly amount: bigint }
): Effect.Effect<void, AuctioneerError | AskError> =>
  Effect.flatMap(auctioneer.ask(bidRequest(input.bidder, input.amount)), Effect.fromResult)

/**
 * Takes a Dutch auction through its auctioneer; returns the price paid.
 *
 * @since 0.1.0
 * @category utils
 */
export const take = (
  auctioneer: AgentRef<AuctioneerMessage>,
  input: { readonly bidder: string }
): Effect.Effect<bigint, AuctioneerError | AskError> =>
  Effect.flatMap(auctioneer.ask(takeRequest(input.bidder)), Effect.fromResult)

/**
 * The auctioneer's deadline and, once settled, its outcome.
 *
 * @since 0.1.0
 * @category utils
 */
export const status = (auctioneer: AgentRef<AuctioneerMessage>): Effect.Effect<AuctioneerStatus, AskError> =>
  auctioneer.ask(outcomeRequest)
