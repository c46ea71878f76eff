import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useApi } from "../../../lib/api/ApiProvider";
import { type Schemas, unwrap } from "../../../lib/api/client";
import { ApiError } from "../../../lib/problem";
import { clearTokens, getAccessToken, refreshDelayMs, storeTokens } from "./tokens";

export type AuthStatus = "restoring" | "anonymous" | "signed-in";

interface AuthContextValue {
  status: AuthStatus;
  /** Keep the access token of a successful login and refresh it before it expires. */
  signIn: (tokens: Schemas["TokenRead"]) => void;
  /** Forget the access token and end the login at the server (which clears the cookie). */
  signOut: () => Promise<void>;
  /**
   * Why the login of this tab ended without the user logging out (e.g. 403
   * `account-deactivated` from the refresh after a 401 `token-revoked`), for the login page to
   * say; null otherwise.
   */
  ended: unknown;
}

/** A refresh refused only because the login is gone (revoked, expired, reused refresh token). */
function isLoginGone(error: unknown): boolean {
  return error instanceof ApiError && (error.slug ?? "").startsWith("refresh-token-");
}

/** An answer saying the access token was revoked (role changed, member deactivated, closed). */
function isRevoked(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.slug === "token-revoked";
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** Tabs tell each other about logins and logouts, so that all show the same state at once. */
const CHANNEL = "aos-auth";
/** Refreshes of all tabs run one after another: each rotates the shared cookie, and two at
 * once would present the same refresh token twice, which the server takes for a stolen copy. */
const REFRESH_LOCK = "aos-refresh";

/** After handling one 401 `token-revoked`, others within this time are the same event. */
const REVOKED_PAUSE_MS = 5_000;

type TabMessage = "signed-in" | "signed-out";

function openChannel(): BroadcastChannel | null {
  return typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
}

function oneTabAtATime<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  // request() resolves with what the task resolves to (it awaits the task's promise).
  return locks ? (locks.request(REFRESH_LOCK, task) as Promise<T>) : task();
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  // Without an access token in memory (a reload, a new tab) the refresh cookie may still hold a
  // login: try it before deciding.
  const [status, setStatus] = useState<AuthStatus>(() => (getAccessToken() !== null ? "signed-in" : "restoring"));
  const [ended, setEnded] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // One refresh at a time in this tab (the lock orders them between tabs).
  const inFlight = useRef<Promise<void> | null>(null);
  const channel = useRef<BroadcastChannel | null>(null);

  const stop = useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  }, []);

  const value = useMemo<AuthContextValue & { refresh: (cause?: unknown) => Promise<void>; forget: () => void }>(() => {
    const schedule = (expiresIn: number) => {
      stop();
      timer.current = setTimeout(() => void refresh(), refreshDelayMs(expiresIn));
    };
    const keep = (tokens: Schemas["TokenRead"]) => {
      storeTokens(tokens);
      setEnded(null);
      setStatus("signed-in");
      schedule(tokens.expires_in);
    };
    const signIn = (tokens: Schemas["TokenRead"]) => {
      keep(tokens);
      channel.current?.postMessage("signed-in" satisfies TabMessage);
    };
    const forget = (reason: unknown = null) => {
      stop();
      setEnded(status === "signed-in" ? reason : null);
      clearTokens();
      setStatus("anonymous");
      // Only a login that was there leaves answers behind. Finding no login at start-up must not
      // drop what a public page (an invitation link) is already asking for: its query would
      // be gone from under it and never settle.
      if (status !== "restoring") queryClient.clear();
    };
    // `cause`: the refused answer that led to this refresh; when the refresh only says "no
    // login" (refresh-token-*), the cause says better why the login ended (token-revoked).
    const refresh = (cause?: unknown): Promise<void> => {
      inFlight.current ??= oneTabAtATime(() => unwrap(api.POST("/api/identity/auth/refresh", { credentials: "same-origin" })))
        // An answer without a token (a proxy's empty page) counts as no login.
        .then(
          (tokens) => (typeof tokens?.access_token === "string" ? keep(tokens) : forget()),
          (error: unknown) => forget(cause !== undefined && isLoginGone(error) ? cause : error),
        )
        .finally(() => {
          inFlight.current = null;
        });
      return inFlight.current;
    };
    const signOut = async () => {
      forget();
      channel.current?.postMessage("signed-out" satisfies TabMessage);
      // Signed out here either way; a login the server did not end expires on its own.
      await api.POST("/api/identity/auth/logout", { credentials: "same-origin" }).catch(() => undefined);
    };
    return { status, signIn, signOut, refresh, forget, ended };
  }, [api, queryClient, status, stop, ended]);

  const { refresh } = value;
  // The channel's handler always sees the current functions, without reopening the channel.
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);
  useEffect(() => {
    if (status === "restoring") void refresh();
  }, [refresh, status]);
  useEffect(() => {
    const opened = openChannel();
    channel.current = opened;
    if (opened === null) return undefined;
    opened.onmessage = (event: MessageEvent<TabMessage>) => {
      // Another tab logged in: this one gets its own access token from the shared cookie.
      if (event.data === "signed-in" && getAccessToken() === null) void latest.current.refresh();
      if (event.data === "signed-out") latest.current.forget();
    };
    return () => {
      opened.close();
      channel.current = null;
    };
  }, []);
  useEffect(() => stop, [stop]);
  // Any answer 401 `token-revoked`, of a query or a mutation of any screen: the refresh gives a
  // token that matches the member's state now, or ends the login with the reason (deactivated,
  // closed), and the private page then sends the user to the login.
  useEffect(() => {
    let handled = 0;
    const onError = (error: unknown) => {
      // Several screens' queries fail at once with the same revoked token: one refresh for all,
      // and no loop should a fresh token be refused again.
      if (!isRevoked(error) || Date.now() - handled < REVOKED_PAUSE_MS) return;
      handled = Date.now();
      void latest.current.refresh(error).then(() => {
        // A new access token (e.g. with the new role) answers what the old one could not.
        if (getAccessToken() !== null) void queryClient.invalidateQueries();
      });
    };
    const queries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") onError(event.action.error);
    });
    const mutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") onError(event.action.error);
    });
    return () => {
      queries();
      mutations();
    };
  }, [queryClient]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error("useAuth is used outside AuthProvider");
  return value;
}
