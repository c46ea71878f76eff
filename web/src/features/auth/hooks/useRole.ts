import { useMe } from "../api/get-me";
import { type Area, mayUse } from "../roles";

/**
 * The signed-in user's role and what it may use. `pending` while it is being asked (then
 * `may` answers false: nothing is offered that might be refused), `error` when identity could
 * not say (e.g. 401 token-revoked).
 */
export function useRole() {
  const me = useMe();
  const role = me.data?.user.role ?? null;
  return {
    role,
    pending: me.isPending,
    error: me.isError ? me.error : null,
    may: (area: Area) => mayUse(role, area),
  };
}
