/** README "Security and quotas": the secure-mode block, whole. */
// README:begin
import { Effect, Layer } from "effect"
import { Ledger } from "mabeam/economics"
import { Registry } from "mabeam/registry"
import { SecureMode, secureLayer, Tokens } from "mabeam/security"

const Secure = secureLayer({ authorization: { grants: { alice: ["ledger:transfer:alice"] } } })
const App = Layer.mergeAll(Ledger.Ledger.layer, Registry.layer).pipe(Layer.provideMerge(Secure))

const program = Effect.gen(function*() {
  const ledger = yield* Ledger.Ledger
  const secure = yield* SecureMode
  const asAlice = secure.actAs(yield* (yield* Tokens).issue("alice"))
  yield* asAlice(ledger.transfer({ from: "alice", to: "bob", amount: 5n }))   // allowed
  // without a token, or as bob, the same transfer fails with Unauthorized (and is audited)
}).pipe(Effect.provide(App))
// README:end

export const securityBlock = program
