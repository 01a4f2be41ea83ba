// Who calls a use case, and what its audit entries record about the call: the signed-in caller
// (their role and tier as Postgres holds them), where the call came from and its request id.
// Nothing here is HTTP: `http/request-context.ts` builds it from each request, and the use
// cases only read it.
import type { Me } from '@colonycraft/protocol';

/** The signed-in user making the call: uid, email, role and the tier that applies to them. */
export type Caller = Me;

export interface CallContext {
  caller: Caller;
  /** The caller's address as the outermost trusted proxy saw it; null when unknown. */
  ip: string | null;
  requestId: string | null;
}
