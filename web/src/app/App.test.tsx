import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { clearTokens } from "../test/session";
import { json, me, renderWithApp, TOKENS } from "../test/render";

// The machine running the tests may be busy: a whole login and a page are a few seconds there.
describe("App", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("switches between English and German", async () => {
    renderWithApp(<App />);
    expect(screen.getByRole("heading", { name: "Welcome to AOS" })).toBeInTheDocument();
    await userEvent.click(screen.getByText("DE"));
    expect(await screen.findByRole("heading", { name: "Willkommen bei AOS" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Anmelden" })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe("de");
  });

  it("opens the phone menu with the burger button and closes it after a link was chosen", async () => {
    renderWithApp(<App />);
    const burger = screen.getByRole("button", { name: "Menu" });
    expect(burger).toHaveAttribute("aria-expanded", "false");
    // The menu holds no links while closed (no second copy of the header's links).
    expect(screen.getAllByRole("link", { name: "Register" })).toHaveLength(1);
    await userEvent.click(burger);
    expect(burger).toHaveAttribute("aria-expanded", "true");
    const menu = document.getElementById("main-menu")!;
    await userEvent.click(within(menu).getByRole("link", { name: "Register" }));
    expect(await screen.findByRole("heading", { name: "Register your company" })).toBeInTheDocument();
    expect(burger).toHaveAttribute("aria-expanded", "false");
    expect(within(menu).queryByRole("link")).toBeNull();
  });

  it("sends a visitor who is not signed in from a private page to the login", async () => {
    renderWithApp(<App />, { route: "/passes" });
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
  });

  it("shows the private pages once signed in and returns to the login after logout", async () => {
    renderWithApp(<App />, {
      route: "/login",
      handler: (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/identity/auth/login") {
          return json({ access_token: "a", expires_in: 900, refresh_expires_in: 86400, token_type: "Bearer" });
        }
        if (path === "/api/identity/me") return json(me("owner"));
        if (path === "/api/billing/catalog/products") return json({ items: [] });
        if (path === "/api/billing/entitlements/summary") return json({ as_of: new Date().toISOString(), scopes: [] });
        return new Response(null, { status: 204 });
      },
    });
    await userEvent.type(screen.getByLabelText(/E-mail/), "owner@example.com");
    await userEvent.type(screen.getByLabelText(/Password/), "secret secret");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("heading", { name: "Passes" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Log out" }));
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Passes" })).not.toBeInTheDocument();
  });

  it("asks for the role again after a logout, so the next member never gets the last one's navigation", async () => {
    let role = "accountant";
    renderWithApp(<App />, {
      route: "/login",
      handler: (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/identity/auth/login") return json(TOKENS);
        if (path === "/api/identity/me") return json(me(role));
        if (path === "/api/billing/catalog/products") return json({ items: [] });
        if (path === "/api/billing/entitlements/summary") return json({ as_of: new Date().toISOString(), scopes: [] });
        return new Response(null, { status: 204 });
      },
    });
    const logIn = async () => {
      await userEvent.type(screen.getByLabelText(/E-mail/), `${role}@example.com`);
      await userEvent.type(screen.getByLabelText(/Password/), "secret secret");
      await userEvent.click(screen.getByRole("button", { name: "Log in" }));
      await screen.findByRole("heading", { name: "Passes" });
    };
    await logIn();
    expect(screen.queryByRole("link", { name: "Programming" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Log out" }));
    await screen.findByRole("heading", { name: "Log in" });
    role = "technician";
    await logIn();
    expect(await screen.findByRole("link", { name: "Programming" })).toBeInTheDocument();
  });
});
