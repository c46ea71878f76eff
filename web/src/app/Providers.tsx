import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { AuthProvider, getAccessToken } from "../features/auth";
import { ApiProvider } from "../lib/api/ApiProvider";
import { type ApiClient, createApiClient } from "../lib/api/client";
import i18n from "../lib/i18n";
import { ApiError } from "../lib/problem";
import { cssVariablesResolver, theme } from "./theme";

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // An answer from the API (a 4xx problem) will not change on retry; a lost connection may.
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}

/** The app's client: relative /api/... on the page's origin, with the session's access token and
 * the portal's language. */
const defaultClient = createApiClient({ accessToken: getAccessToken, language: () => i18n.language });

/** Everything the screens need around them: theme, server-state cache, API client, session. */
export function Providers({ children, client, queryClient }: { children: ReactNode; client?: ApiClient; queryClient?: QueryClient }) {
  const [defaultQueryClient] = useState(newQueryClient);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <QueryClientProvider client={queryClient ?? defaultQueryClient}>
        <ApiProvider client={client ?? defaultClient}>
          <AuthProvider>{children}</AuthProvider>
        </ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
