/**
 * Leader election for `Coordination.elect`: each group has a fixed number of seats (virtual
 * nodes running the `Election` step function). A caller takes a free seat for its scope; the
 * seat's member runs as a fiber in the service's scope and stops when the caller's scope closes.
 * Each seat keeps its persisted term, vote and promise across occupants, so a seat that changes
 * hands never votes twice in a term or breaks a promise. A leader needs a majority of the seats
 * occupied.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Exit, Option, Scope } from "effect"
import type { Transport } from "../../transport/index.ts"
import { defaultElectionConfig, isLeader, makeElection } from "../election/Election.ts"
import type { ElectionPersisted, ElectionState } from "../election/types.ts"
import { runNode } from "../Protocol.ts"
import { QuorumUnavailable, SeatsTaken } from "./errors.ts"
import type { ElectionView, SeatView } from "./State.ts"
import { virtualGroup } from "./VirtualNodes.ts"

/**
 * A caller's seat in a group's election, valid for the scope it was taken in.
 *
 * @since 0.1.0
 * @category models
 */
export interface Candidacy {
  readonly group: string
  /** This seat's member name (`seat-0`, `seat-1`, ...), as reported by `leader`. */
  readonly member: string
  /** Whether this seat holds an unexpired leadership lease now: act as leader only while true. */
  readonly isLeader: Effect.Effect<boolean>
  /** Waits until this seat leads; returns the term and the end of its current lease. */
  readonly awaitLeadership: Effect.Effect<{ readonly term: number; readonly until: number }>
  /** Waits (up to the service timeout) until some seat of the group leads; else `QuorumUnavailable`. */
  readonly leader: Effect.Effect<{ readonly member: string; readonly term: number }, QuorumUnavailable>
}

interface Seat {
  taken: boolean
  holder: string | undefined
  state: ElectionState | undefined
  persisted: ElectionPersisted | undefined
}

/**
 * The seats of one group.
 *
 * @since 0.1.0
 * @category models
 */
export interface SeatGroup {
  /** Takes a free seat for the current scope, labelled `holder`; `SeatsTaken` when every seat is taken. */
  readonly take: (holder: string | undefined) => Effect.Effect<Candidacy, SeatsTaken, Scope.Scope>
  /** The seats and the leader as they are now (read-only, no messages). */
  readonly view: Effect.Effect<ElectionView>
}

/**
 * Makes group `group`'s `size` seats over `transport`; members run in `scope`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSeatGroup = (options: {
  readonly transport: Transport["Service"]
  readonly scope: Scope.Scope
  readonly group: string
  readonly size: number
  readonly timeout: number
  readonly poll: number
}): SeatGroup => {
  const { group, poll, scope, size, timeout } = options
  const members = Array.from({ length: size }, (_, i) => `seat-${i}`)
  const config = { ...defaultElectionConfig(members), service: "election" }
  const protocol = makeElection(config)
  const net = virtualGroup(options.transport, `coordination/election/${group}`, config.service, members)
  const seats = new Map<string, Seat>(
    members.map((m) => [m, { taken: false, holder: undefined, state: undefined, persisted: undefined }])
  )
  const now = Clock.currentTimeMillis

  const groupLeader = Effect.map(now, (t) => {
    for (const [member, seat] of seats) {
      if (seat.state !== undefined && isLeader(seat.state, t)) return Option.some({ member, term: seat.state.term })
    }
    return Option.none()
  })

  const view = Effect.map(now, (t): ElectionView => {
    const views: Array<SeatView> = []
    let leader: { readonly member: string; readonly seat: Seat } | undefined
    let term = 0
    for (const [member, seat] of seats) {
      const state = seat.state
      term = Math.max(term, state?.term ?? seat.persisted?.term ?? 0)
      if (leader === undefined && state !== undefined && isLeader(state, t)) leader = { member, seat }
      views.push({
        member,
        ...(seat.holder === undefined ? {} : { holder: seat.holder }),
        taken: seat.taken,
        role: state?.role ?? "follower",
        term: state?.term ?? seat.persisted?.term ?? 0
      })
    }
    return {
      group,
      leader: leader?.member,
      leaderHolder: leader?.seat.holder,
      term: leader?.seat.state?.term ?? term,
      leaseUntil: leader?.seat.state?.leaseUntil ?? 0,
      seats: views
    }
  })

  const take = (holder: string | undefined) =>
    Effect.gen(function* () {
      const free = members.find((m) => seats.get(m)?.taken === false)
      const seat = free === undefined ? undefined : seats.get(free)
      if (free === undefined || seat === undefined) {
        return yield* new SeatsTaken({ group, size })
      }
      seat.taken = true
      seat.holder = holder
      const seatScope = yield* Scope.fork(scope, "sequential")
      yield* Effect.addFinalizer(() =>
        Scope.close(seatScope, Exit.void).pipe(
          Effect.andThen(
            Effect.sync(() => {
              seat.taken = false
              seat.holder = undefined
              seat.state = undefined
            })
          )
        )
      )
      const endpoint = yield* Effect.orDie(Scope.provide(net.bind(free), seatScope))
      yield* Effect.forkIn(
        runNode(protocol, {
          endpoint,
          persisted: seat.persisted,
          observe: (s) => {
            seat.state = s
            seat.persisted = protocol.persist(s)
            return undefined
          }
        }),
        seatScope
      )
      const leads = Effect.map(now, (t) => seat.state !== undefined && isLeader(seat.state, t))
      const awaitLeadership = Effect.gen(function* () {
        while (!(yield* leads)) yield* Effect.sleep(poll)
        return { term: seat.state?.term ?? 0, until: seat.state?.leaseUntil ?? 0 }
      })
      const waitLeader = Effect.gen(function* () {
        while (true) {
          const found = yield* groupLeader
          if (Option.isSome(found)) return found.value
          yield* Effect.sleep(poll)
        }
      })
      const leader = Effect.flatMap(
        Effect.timeoutOption(waitLeader, timeout),
        Option.match({
          onNone: () => Effect.fail(new QuorumUnavailable({ group, operation: "elect", timeout })),
          onSome: Effect.succeed
        })
      )
      return { group, member: free, isLeader: leads, awaitLeadership, leader } satisfies Candidacy
    })

  return { take, view }
}
