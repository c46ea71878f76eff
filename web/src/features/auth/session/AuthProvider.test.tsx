import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, renderWithApp } from "../../../test/render";
import { useAuth } from "./AuthProvider";
import { clearTokens, getAccessToken, REFRESH_TOKEN_KEY, storeTokens } from "./tokens";

function Status() {
  const auth = useAuth();
  return (
    <>
      <p>status: {auth.status}</p>
      <button type="button" onClick={() => void auth.signOut()}>
        out
      </button>
    </>
  );
}

const tokens = (n: number, expiresIn = 900) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  expires_in: expiresIn,
  refresh_expires_in: 86_400,
  token_type: "Bearer" as const,
});

describe("AuthProvider", () => {
  afterEach(() => {
    clearTokens();
    vi.useRealTimers();
  });

  it("signs the user in again after a reload with the stored refresh token", async () => {
    window.sessionStorage.setItem(REFRESH_TOKEN_KEY, "refresh-0");
    const { requests } = renderWithApp(<Status />, { handler: () => json(tokens(1)) });
    expect(screen.getByText("status: restoring")).toBeInTheDocument();
    await screen.findByText("status: signed-in");
    expect(requests).toHaveLength(1);
    expect(new URL(requests[0]!.url).pathname).toBe("/api/identity/auth/refresh");
    expect(await requests[0]!.json()).toEqual({ refresh_token: "refresh-0" });
    expect(getAccessToken()).toBe("access-1");
    expect(window.sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe("refresh-1");
  });

  it("is signed out when the stored refresh token is refused", async () => {
    window.sessionStorage.setItem(REFRESH_TOKEN_KEY, "refresh-0");
    renderWithApp(<Status />, { handler: () => json({ title: "Refresh token invalid", status: 401 }, 401) });
    await screen.findByText("status: anonymous");
    expect(window.sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
  });

  it("refreshes the access token before it expires", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    window.sessionStorage.setItem(REFRESH_TOKEN_KEY, "refresh-0");
    let issued = 0;
    const { requests } = renderWithApp(<Status />, {
      handler: () => {
        issued += 1;
        return json(tokens(issued, 120));
      },
    });
    await screen.findByText("status: signed-in");
    expect(getAccessToken()).toBe("access-1");
    await act(() => vi.advanceTimersByTimeAsync(96_000)); // 80 % of 120 s
    await waitFor(() => expect(getAccessToken()).toBe("access-2"));
    expect(await requests[1]!.json()).toEqual({ refresh_token: "refresh-1" });
  });

  it("logs out at the server and forgets the tokens", async () => {
    storeTokens(tokens(5));
    const { requests } = renderWithApp(<Status />, {
      handler: (request) => (request.url.endsWith("/logout") ? new Response(null, { status: 204 }) : json(tokens(6))),
    });
    await screen.findByText("status: signed-in");
    await userEvent.click(screen.getByRole("button", { name: "out" }));
    await screen.findByText("status: anonymous");
    await waitFor(() => expect(requests.some((r) => r.url.endsWith("/api/identity/auth/logout"))).toBe(true));
    expect(getAccessToken()).toBeNull();
    expect(window.sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
  });
});
