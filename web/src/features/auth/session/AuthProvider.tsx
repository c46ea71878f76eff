import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useApi } from "../../../lib/api/ApiProvider";
import { type Schemas, unwrap } from "../../../lib/api/client";
import { clearTokens, getRefreshToken, refreshDelayMs, storeTokens } from "./tokens";

export type AuthStatus = "restoring" | "anonymous" | "signed-in";

interface AuthContextValue {
  status: AuthStatus;
  /** Keep the tokens of a successful login and refresh them before they expire. */
  signIn: (tokens: Schemas["TokenRead"]) => void;
  /** Forget both tokens and revoke the refresh token at the server (best effort). */
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<AuthStatus>(() => (getRefreshToken() !== null ? "restoring" : "anonymous"));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // One refresh at a time: refresh tokens are single-use, a second concurrent use would fail.
  const inFlight = useRef<Promise<void> | null>(null);

  const stop = useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  }, []);

  const value = useMemo<AuthContextValue & { refresh: () => Promise<void> }>(() => {
    const signIn = (tokens: Schemas["TokenRead"]) => {
      storeTokens(tokens);
      setStatus("signed-in");
      stop();
      timer.current = setTimeout(() => void refresh(), refreshDelayMs(tokens.expires_in));
    };
    const forget = () => {
      stop();
      clearTokens();
      setStatus("anonymous");
      queryClient.clear();
    };
    const refresh = (): Promise<void> => {
      const refreshToken = getRefreshToken();
      if (refreshToken === null) return Promise.resolve();
      inFlight.current ??= unwrap(api.POST("/api/identity/auth/refresh", { body: { refresh_token: refreshToken } }))
        .then(signIn, forget)
        .finally(() => {
          inFlight.current = null;
        });
      return inFlight.current;
    };
    const signOut = async () => {
      const refreshToken = getRefreshToken();
      forget();
      if (refreshToken !== null) {
        // Signed out here either way; a refresh token the server did not revoke expires on its own.
        await api.POST("/api/identity/auth/logout", { body: { refresh_token: refreshToken } }).catch(() => undefined);
      }
    };
    return { status, signIn, signOut, refresh };
  }, [api, queryClient, status, stop]);

  const { refresh } = value;
  useEffect(() => {
    // After a reload the access token is gone with the page; the refresh token gets a new one.
    if (getRefreshToken() !== null && status === "restoring") void refresh();
  }, [refresh, status]);
  useEffect(() => stop, [stop]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error("useAuth is used outside AuthProvider");
  return value;
}
