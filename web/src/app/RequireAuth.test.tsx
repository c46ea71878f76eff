import { act, screen, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../lib/i18n";
import { json, memberGateway, renderWithApp, TOKENS } from "../test/render";
import { clearTokens, storeTokens } from "../test/session";
import { type Area, LoginPage } from "../features/auth";
import { RequireAuth } from "./RequireAuth";

function screenAs(role: string, area: Area) {
  storeTokens(TOKENS);
  return renderWithApp(
    <RequireAuth area={area}>
      <p>the {area} screen</p>
    </RequireAuth>,
    { handler: memberGateway(role) },
  );
}

describe("RequireAuth with a role-bound area", () => {
  afterEach(clearTokens);

  it("shows the screen to a role that may use it", async () => {
    screenAs("technician", "programming");
    expect(await screen.findByText("the programming screen")).toBeInTheDocument();
  });

  it("explains to an accountant opening AIR why not and whom to ask, instead of the screen", async () => {
    screenAs("accountant", "air");
    expect(await screen.findByRole("heading", { name: "Not open to your role" })).toBeInTheDocument();
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("You are signed in as Accountant. Repair information is for: Owner, Admin, or Technician.");
    expect(alert).toHaveTextContent("The owner or an admin of your workshop gives roles: ask them if you need this.");
    expect(within(alert).getByRole("link", { name: "Go to passes" })).toHaveAttribute("href", "/passes");
    expect(screen.queryByText("the air screen")).not.toBeInTheDocument();
  });

  it("explains it in German too", async () => {
    screenAs("accountant", "programming");
    await screen.findByRole("heading", { name: "Not open to your role" });
    await act(() => i18n.changeLanguage("de"));
    expect(screen.getByRole("heading", { name: "Für Ihre Rolle nicht freigegeben" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Sie sind angemeldet als Buchhaltung. Programmierung ist freigegeben für: Inhaber, Administrator oder Techniker.");
  });

  it("shows a revoked token as the problem it is, on the login it leads back to", async () => {
    storeTokens(TOKENS);
    // The token was revoked and the refresh cookie is gone too (renderWithApp answers the
    // refresh with 401): the login ends, and the login page says why.
    renderWithApp(
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          path="/passes"
          element={
            <RequireAuth area="passes">
              <p>the passes screen</p>
            </RequireAuth>
          }
        />
      </Routes>,
      {
        route: "/passes",
        handler: () => json({ type: "/problems/token-revoked", code: "token-revoked", title: "Token revoked", status: 401 }, 401),
      },
    );
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Your access has changed");
    expect(within(alert).getByRole("link", { name: "Log in again" })).toBeInTheDocument();
    expect(screen.queryByText("the passes screen")).not.toBeInTheDocument();
  });
});
