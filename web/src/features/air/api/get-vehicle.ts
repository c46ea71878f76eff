import { queryOptions, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useApi } from "../../../lib/api/ApiProvider";
import { requestJson } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { Catalog, Vehicle } from "./types";

const vehiclePath = (vin: string) => `/api/air/vehicles/${encodeURIComponent(vin)}`;

/** GET /api/air/vehicles/{vin}: the decoded vehicle and its coverage (no pass needed). */
export function getVehicle(api: ApiClient, vin: string, lang: string) {
  return requestJson<Vehicle>(api, "GET", vehiclePath(vin), { query: { lang } });
}

export const vehicleQueryOptions = (api: ApiClient, vin: string, lang: string) =>
  queryOptions({ queryKey: ["air-vehicle", vin, lang], queryFn: () => getVehicle(api, vin, lang) });

export function useVehicle(vin: string) {
  const { i18n } = useTranslation();
  return useQuery(vehicleQueryOptions(useApi(), vin, i18n.language));
}

/** GET /api/air/vehicles/{vin}/catalog: what applies to the car, titles only (no pass needed:
 * a workshop sees what it would be paying for). */
export function getCatalog(api: ApiClient, vin: string, lang: string) {
  return requestJson<Catalog>(api, "GET", `${vehiclePath(vin)}/catalog`, { query: { lang } });
}

export const catalogQueryOptions = (api: ApiClient, vin: string, lang: string) =>
  queryOptions({ queryKey: ["air-catalog", vin, lang], queryFn: () => getCatalog(api, vin, lang) });

export function useCatalog(vin: string | null, { enabled = true }: { enabled?: boolean } = {}) {
  const { i18n } = useTranslation();
  return useQuery({ ...catalogQueryOptions(useApi(), vin ?? "", i18n.language), enabled: enabled && vin !== null });
}
