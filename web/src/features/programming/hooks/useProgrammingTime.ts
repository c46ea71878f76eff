import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { entitlementSummaryQueryOptions } from "../../passes";

/** How often the paid-time summary is asked for again (a pass bought in another tab shows up). */
const SUMMARY_POLL_MS = 30_000;

/** The organisation's PROGRAMMING time: active, paid until when, seconds left at `as_of`. */
export function useProgrammingTime() {
  const api = useApi();
  return useQuery({
    ...entitlementSummaryQueryOptions(api),
    refetchInterval: SUMMARY_POLL_MS,
    select: (summary) =>
      summary.scopes.find((scope) => scope.scope === "PROGRAMMING") ?? { scope: "PROGRAMMING" as const, active: false, valid_until: null, seconds_left: 0, windows: [] },
  });
}
