import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useApi } from "../../../lib/api/ApiProvider";
import { requestJson } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { Schedule, ServiceEntry, ServiceEntryCreate, ServiceEntryList, ServiceEntryUpdate } from "./types";

const vehiclePath = (vin: string) => `/api/air/vehicles/${encodeURIComponent(vin)}`;
const entryPath = (id: string) => `/api/air/service-entries/${encodeURIComponent(id)}`;

/** Everything cached about one VIN's service book: a write refreshes the history and what is due. */
const serviceBookKey = (vin: string) => ["service-book", vin] as const;

/** GET /api/air/vehicles/{vin}/service-entries (needs an AIR pass or the VIN's own pass). */
export function getServiceEntries(api: ApiClient, vin: string) {
  return requestJson<ServiceEntryList>(api, "GET", `${vehiclePath(vin)}/service-entries`);
}

export const serviceEntriesQueryOptions = (api: ApiClient, vin: string) =>
  queryOptions({ queryKey: [...serviceBookKey(vin), "entries"], queryFn: () => getServiceEntries(api, vin) });

export function useServiceEntries(vin: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...serviceEntriesQueryOptions(useApi(), vin), enabled });
}

export interface ScheduleRequest {
  mileageKm: number | null;
  firstRegistration: string | null;
}

/** GET /api/air/vehicles/{vin}/schedule: what is due at today's mileage (needs a pass as the history). */
export function getSchedule(api: ApiClient, vin: string, { mileageKm, firstRegistration }: ScheduleRequest, lang: string) {
  return requestJson<Schedule>(api, "GET", `${vehiclePath(vin)}/schedule`, {
    query: { mileage_km: mileageKm ?? undefined, first_registration: firstRegistration ?? undefined, lang },
  });
}

export function useSchedule(vin: string, request: ScheduleRequest, { enabled = true }: { enabled?: boolean } = {}) {
  const api = useApi();
  const { i18n } = useTranslation();
  return useQuery({
    queryKey: [...serviceBookKey(vin), "schedule", request.mileageKm, request.firstRegistration, i18n.language],
    queryFn: () => getSchedule(api, vin, request, i18n.language),
    enabled,
  });
}

/** After any write: the history and what is due are asked again. */
function useRefreshServiceBook(vin: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: serviceBookKey(vin) });
}

/** POST /api/air/vehicles/{vin}/service-entries (no pass needed: the workshop serviced the car). */
export function useCreateServiceEntry(vin: string) {
  const api = useApi();
  const refresh = useRefreshServiceBook(vin);
  return useMutation({
    mutationFn: (body: ServiceEntryCreate) => requestJson<ServiceEntry>(api, "POST", `${vehiclePath(vin)}/service-entries`, { body }),
    onSuccess: refresh,
  });
}

/** PATCH /api/air/service-entries/{id}: the own organisation's entry, within its edit window. */
export function useUpdateServiceEntry(vin: string) {
  const api = useApi();
  const refresh = useRefreshServiceBook(vin);
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ServiceEntryUpdate }) => requestJson<ServiceEntry>(api, "PATCH", entryPath(id), { body }),
    onSuccess: refresh,
  });
}

/** POST /api/air/service-entries/{id}/void: marks the entry void (it stays in the book). */
export function useVoidServiceEntry(vin: string) {
  const api = useApi();
  const refresh = useRefreshServiceBook(vin);
  return useMutation({
    mutationFn: (entry: Pick<ServiceEntry, "id" | "revision">) => requestJson<ServiceEntry>(api, "POST", `${entryPath(entry.id)}/void`, { body: { revision: entry.revision } }),
    onSuccess: refresh,
  });
}
