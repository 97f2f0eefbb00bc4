/**
 * One Raft replica in its own process, for the multi-process test:
 * `node test/transport/raft-replica-process.ts NODE PEERS_JSON` runs replica NODE of the members
 * named in PEERS_JSON (`{ name: { host, port } }`, every name but `client` is a member) over an
 * `RpcTransport`, prints `ready`, then `applied ID` for each committed entry, and runs until it is
 * killed or its stdin closes.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Random } from "effect"
import { Raft, runNode } from "../../src/coordination/index.ts"
import { RpcTransport } from "../../src/transport/rpc/index.ts"

const [node, peersJson] = process.argv.slice(2)
if (node === undefined || peersJson === undefined) throw new Error("usage: raft-replica-process.ts NODE PEERS_JSON")
const peers = JSON.parse(peersJson) as Record<string, { readonly host: string; readonly port: number }>
const members = Object.keys(peers)
  .filter((name) => name !== "client")
  .sort()
process.stdin.on("close", () => process.exit(0))
process.stdin.resume()

const main = Effect.gen(function* () {
  const transport = yield* RpcTransport.make({ node, port: peers[node]?.port ?? 0, peers })
  const endpoint = yield* transport.bind("raft")
  const protocol = Raft.makeRaft(Raft.defaultRaftConfig(members), (u): u is number => typeof u === "number")
  process.stdout.write("ready\n")
  return yield* runNode(protocol, {
    endpoint,
    emit: (event) =>
      Effect.sync(() => void (event._tag === "Applied" && process.stdout.write(`applied ${event.entry.id}\n`)))
  })
}).pipe(Effect.scoped, Random.withSeed(members.indexOf(node) + 1))

NodeRuntime.runMain(main)
