/**
 * Raft across processes: three replicas, each in its own Node process with its own `RpcTransport`
 * on 127.0.0.1; the test is a client node. The leader is killed with SIGKILL mid-run: the two
 * survivors elect a new one and go on committing, and every replica's log is one prefix.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Queue } from "effect"
import { RpcTransport } from "../../src/transport/rpc/index.ts"
import { freePort } from "../../src/transport/index.ts"

interface Replica {
  readonly node: string
  readonly child: ChildProcessWithoutNullStreams
  readonly applied: Array<string>
}

/** Starts one replica process; SIGKILLed when the scope closes at the latest. */
const spawnReplica = (node: string, peers: string, progress: Queue.Queue<void>) =>
  Effect.acquireRelease(
    Effect.sync(() => spawn(process.execPath, [join(import.meta.dirname, "raft-replica-process.ts"), node, peers])),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  ).pipe(
    Effect.flatMap((child) =>
      Effect.callback<Replica>((resume) => {
        const replica: Replica = { node, child, applied: [] }
        createInterface({ input: child.stdout }).on("line", (line) => {
          if (line === "ready") resume(Effect.succeed(replica))
          else if (line.startsWith("applied ")) {
            replica.applied.push(line.slice("applied ".length))
            Queue.offerUnsafe(progress, undefined)
          }
        })
        child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk))
        child.on("exit", (code, signal) => {
          if (signal !== "SIGKILL") resume(Effect.die(new Error(`replica ${node} exited early (${code})`)))
        })
      }).pipe(
        Effect.timeoutOrElse({
          duration: "45 seconds",
          orElse: () => Effect.die(new Error(`replica ${node} not ready`))
        })
      )
    )
  )

describe("Raft across processes over RpcTransport", () => {
  it.live(
    "three replica processes commit one log; after the leader is killed, the survivors go on",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const members = ["n0", "n1", "n2"]
          const names = [...members, "client"]
          const ports = yield* Effect.forEach(names, () => freePort)
          const peers = Object.fromEntries(names.map((name, i) => [name, { host: "127.0.0.1", port: ports[i] ?? 0 }]))
          const progress = yield* Queue.unbounded<void>()
          const replicas = yield* Effect.forEach(
            members,
            (node) => spawnReplica(node, JSON.stringify(peers), progress),
            {
              concurrency: "unbounded"
            }
          )
          const transport = yield* RpcTransport.make({ node: "client", port: peers["client"]?.port ?? 0, peers })
          const client = yield* transport.bind("client")

          /** The replica that answered `committed` for `id`. */
          const committedBy = (id: string) =>
            Effect.gen(function* () {
              while (true) {
                for (const envelope of yield* client.receive) {
                  const reply = envelope.message as {
                    readonly _tag?: string
                    readonly id?: string
                    readonly status?: string
                  }
                  if (reply._tag === "ProposeReply" && reply.id === id && reply.status === "committed")
                    return envelope.from.node
                }
              }
            })
          /** Resends the proposal to every member until one commits it (bounded: 40 rounds). */
          const propose = (id: string, command: number) =>
            Effect.gen(function* () {
              for (let round = 0; round < 40; round++) {
                for (const node of members) yield* client.send({ node, id: "raft" }, { _tag: "Propose", id, command })
                const leader = yield* Effect.timeoutOption(committedBy(id), "300 millis")
                if (Option.isSome(leader)) return leader.value
              }
              return assert.fail(`${id} was not committed`)
            })

          const started = Date.now()
          let leader = ""
          for (let k = 0; k < 5; k++) leader = yield* propose(`p${k}`, k)
          const beforeKill = Date.now() - started
          const killed = replicas.find((r) => r.node === leader)
          assert.isDefined(killed)
          killed?.child.kill("SIGKILL")
          const survivors = replicas.filter((r) => r.node !== leader)
          for (let k = 5; k < 10; k++) assert.notStrictEqual(yield* propose(`p${k}`, k), leader)

          const ids = Array.from({ length: 10 }, (_, k) => `p${k}`)
          yield* Effect.gen(function* () {
            while (!survivors.every((r) => ids.every((id) => r.applied.includes(id)))) yield* Queue.take(progress)
          }).pipe(Effect.timeout("15 seconds"))
          yield* Effect.log(
            `replicas ready, first 5 committed in ${beforeKill} ms; 5 more after the leader was killed in ${Date.now() - started - beforeKill} ms`
          )
          // One log: every replica (the killed one too, up to where it got) applied a prefix of it.
          const longest = replicas.map((r) => r.applied).reduce((a, b) => (b.length > a.length ? b : a))
          for (const replica of replicas)
            assert.deepStrictEqual(replica.applied, longest.slice(0, replica.applied.length))
          // Each proposal is in the log, in the order it was committed.
          const firstSeen = ids.map((id) => longest.indexOf(id))
          assert.deepStrictEqual(
            firstSeen,
            [...firstSeen].sort((a, b) => a - b)
          )
        })
      ),
    { timeout: 90_000 }
  )
})
