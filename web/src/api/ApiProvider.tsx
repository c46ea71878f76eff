import { createContext, useContext, type ReactNode } from "react";
import { getAccessToken } from "../auth/tokens";
import { type ApiClient, createApiClient } from "./client";

const defaultClient = createApiClient({ accessToken: getAccessToken });
const ApiContext = createContext<ApiClient>(defaultClient);

/** Provides the API client; tests pass one with a fake fetch. */
export function ApiProvider({ client, children }: { client?: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client ?? defaultClient}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  return useContext(ApiContext);
}
