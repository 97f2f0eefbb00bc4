/** Layers shared by the security tests. */
import { Layer } from "effect"
import { EventStore } from "../../src/events/index.ts"
import {
  AuditLog,
  Authorization,
  type AuthorizationOptions,
  Identities,
  type IdentityOptions
} from "../../src/security/index.ts"

/** The audit key of the test logs (a real deployment keeps its key secret and out of the store). */
export const auditKey = Buffer.from("mabeam-test-audit-key-0123456789")

/** A keyed audit log (without an event store). */
export const keyedAudit = Layer.orDie(AuditLog.layerWith({ key: auditKey }))

/** An audit log over an in-memory event store. */
export const auditLayer = keyedAudit.pipe(Layer.provideMerge(Layer.orDie(EventStore.layerMemory())))

/** Identities + authorization + audit log over an in-memory event store. */
export const securityLayer = (
  options: { readonly identities?: IdentityOptions; readonly authorization?: AuthorizationOptions } = {}
) =>
  Layer.mergeAll(
    Identities.layerWith(options.identities ?? {}),
    Authorization.layerWith(options.authorization ?? {})
  ).pipe(Layer.provideMerge(auditLayer), Layer.orDie)
