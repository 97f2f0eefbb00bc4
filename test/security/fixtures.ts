/** Layers shared by the security tests. */
import { Layer } from "effect"
import { EventStore } from "../../src/events/index.ts"
import { AuditLog, Authorization, type AuthorizationOptions, Identities, type IdentityOptions } from "../../src/security/index.ts"

/** An audit log over an in-memory event store. */
export const auditLayer = AuditLog.layer.pipe(Layer.provideMerge(Layer.orDie(EventStore.layerMemory())))

/** Identities + authorization + audit log over an in-memory event store. */
export const securityLayer = (options: { readonly identities?: IdentityOptions; readonly authorization?: AuthorizationOptions } = {}) =>
  Layer.mergeAll(
    Identities.layerWith(options.identities ?? {}),
    Authorization.layerWith(options.authorization ?? {})
  ).pipe(Layer.provideMerge(auditLayer), Layer.orDie)
