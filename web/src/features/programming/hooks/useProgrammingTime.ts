import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type EntitlementSummary, entitlementSummaryQueryOptions } from "../../passes";

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

/** Until when a per-VIN programming pass covers `vin` (null: none that has not ended). */
export function vinPassUntil(summary: EntitlementSummary | undefined, vin: string, now: number): string | null {
  const ends = (summary?.vin_passes ?? [])
    .filter((pass) => pass.scope === "PROGRAMMING" && pass.vin === vin && Date.parse(pass.valid_until) > now)
    .map((pass) => pass.valid_until)
    .sort();
  return ends.at(-1) ?? null;
}

/**
 * Whether programming `vin` needs time that is not there: no running PROGRAMMING pass and no
 * per-VIN pass for this car. Where it does, the portal offers "just this car" for the VIN.
 */
export function useNoProgrammingAccess(vin: string | null): boolean {
  const api = useApi();
  const summary = useQuery({ ...entitlementSummaryQueryOptions(api), refetchInterval: SUMMARY_POLL_MS });
  if (vin === null || summary.data === undefined) return false;
  const time = summary.data.scopes.find((scope) => scope.scope === "PROGRAMMING");
  return !time?.active && vinPassUntil(summary.data, vin, Date.parse(summary.data.as_of)) === null;
}

/** Until when a per-VIN programming pass covers `vin`, from the shared summary (null: none). */
export function useVinPassUntil(vin: string): string | null {
  const api = useApi();
  const summary = useQuery({ ...entitlementSummaryQueryOptions(api), refetchInterval: SUMMARY_POLL_MS });
  return summary.data ? vinPassUntil(summary.data, vin, Date.parse(summary.data.as_of)) : null;
}
