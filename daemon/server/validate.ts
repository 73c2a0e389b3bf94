// The daemon's parameter check per method, derived from the declarations in shared/protocol.ts
// (each message is declared with its validator there; the checks themselves are shared/params.ts).
import { REQUESTS } from '../../shared/protocol';

export type Validator = (params: unknown) => unknown;

export const VALIDATORS: ReadonlyMap<string, Validator> = new Map(REQUESTS.map((r) => [r.method, r.validate]));

export function validatorFor(method: string): Validator | undefined {
  return VALIDATORS.get(method);
}
