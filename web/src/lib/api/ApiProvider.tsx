import { createContext, useContext, type ReactNode } from "react";
import type { ApiClient } from "./client";

// No default client here: the client needs the session's access token, and lib/ knows nothing
// of features. The app builds the client (app/Providers.tsx); tests pass one with a fake fetch.
const ApiContext = createContext<ApiClient | null>(null);

/** Provides the API client to every screen below it. */
export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (client === null) throw new Error("useApi is used outside ApiProvider");
  return client;
}
