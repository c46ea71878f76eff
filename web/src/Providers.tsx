import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiProvider } from "./api/ApiProvider";
import type { ApiClient } from "./api/client";
import { AuthProvider } from "./auth/AuthProvider";
import { ApiError } from "./lib/problem";
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

/** Everything the screens need around them: theme, server-state cache, API client, session. */
export function Providers({ children, client, queryClient }: { children: ReactNode; client?: ApiClient; queryClient?: QueryClient }) {
  const [defaultQueryClient] = useState(newQueryClient);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <QueryClientProvider client={queryClient ?? defaultQueryClient}>
        <ApiProvider client={client}>
          <AuthProvider>{children}</AuthProvider>
        </ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
