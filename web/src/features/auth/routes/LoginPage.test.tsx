import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { clearTokens, getAccessToken } from "../session/tokens";
import i18n from "../../../lib/i18n";
import { json, renderWithApp } from "../../../test/render";
import { LoginPage } from "./LoginPage";

function Where() {
  const location = useLocation();
  return <p>at {[location.pathname, location.search, location.hash].filter(Boolean).join(" ")}</p>;
}

const ANSWER = { access_token: "acc", expires_in: 900, refresh_expires_in: 86400, token_type: "Bearer" };
const NO_LOGIN = { type: "/problems/refresh-token-invalid", code: "refresh-token-invalid", title: "Invalid refresh token", status: 401 };
const isLogin = (request: Request) => new URL(request.url).pathname === "/api/identity/auth/login";

const app = (
  <Routes>
    <Route path="/login" element={<LoginPage />} />
    <Route path="*" element={<Where />} />
  </Routes>
);

async function fillIn(code = "") {
  await userEvent.type(await screen.findByLabelText(/E-mail/), "owner@example.com");
  await userEvent.type(screen.getByLabelText(/Password/), "correct horse battery");
  if (code) await userEvent.type(screen.getByLabelText(/Authenticator code/), code);
  await userEvent.click(screen.getByRole("button", { name: "Log in" }));
}

// Typing key by key re-renders the form each time: slow in jsdom on a busy machine.
describe("LoginPage", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("shows a field error next to its field and translates the problem, in German too", async () => {
    const invalid = {
      type: "/problems/validation-error",
      code: "validation-error",
      title: "Invalid request",
      status: 422,
      detail: "Fix these fields and retry: email: String should have at most 1000 characters",
      errors: [{ field: "email", code: "string_too_long", message: "String should have at most 1000 characters", params: { max_length: 1000 } }],
    };
    renderWithApp(app, { route: "/login", handler: () => json(invalid, 422) });
    await fillIn();
    expect(await screen.findByRole("alert")).toHaveTextContent("Please check your input");
    expect(screen.getByLabelText(/E-mail/)).toHaveAccessibleDescription("Please enter at most 1000 characters.");
    await act(() => i18n.changeLanguage("de"));
    expect(screen.getByLabelText(/E-Mail/)).toHaveAccessibleDescription("Bitte geben Sie höchstens 1000 Zeichen ein.");
    expect(screen.getByRole("alert")).toHaveTextContent("Bitte prüfen Sie Ihre Eingaben");
  });

  it("signs in with e-mail, password and code and goes to the passes", async () => {
    const { requests } = renderWithApp(app, {
      route: "/login",
      handler: (request) => (isLogin(request) ? json(ANSWER) : json(NO_LOGIN, 401)),
    });
    await fillIn("123456");
    expect(await screen.findByText("at /passes")).toBeInTheDocument();
    const login = requests.find(isLogin)!;
    expect(await login.json()).toEqual({ email: "owner@example.com", password: "correct horse battery", totp_code: "123456" });
    expect(getAccessToken()).toBe("acc");
  });

  it("returns to the page that was asked for before the login (a deep link)", async () => {
    const wanted = { pathname: "/air/documents/doc-7", search: "?q=brake", hash: "#step-3" };
    renderWithApp(app, {
      route: { pathname: "/login", state: { from: wanted } },
      handler: (request) => (isLogin(request) ? json(ANSWER) : json(NO_LOGIN, 401)),
    });
    await fillIn("123456");
    expect(await screen.findByText("at /air/documents/doc-7 ?q=brake #step-3")).toBeInTheDocument();
  });

  it("shows the problem when the login is refused", async () => {
    renderWithApp(app, {
      route: "/login",
      handler: () => json({ type: "/problems/login-failed", title: "Login failed", status: 401, detail: "E-mail or password is wrong." }, 401),
    });
    await fillIn();
    const alert = await screen.findByRole("alert");
    // Translated by its code, not the server's English sentence.
    expect(alert).toHaveTextContent("Login failed");
    expect(alert).toHaveTextContent("The e-mail address or the password is not right.");
  });

  it("goes to the TOTP set-up when the account has no second factor yet", async () => {
    renderWithApp(app, {
      route: "/login",
      handler: () =>
        json({ type: "/problems/totp-enrolment-required", title: "Set up two-factor authentication", status: 403, detail: "…", enrolment_token: "enrol-1" }, 403),
    });
    await fillIn();
    expect(await screen.findByText("at /totp-enrolment")).toBeInTheDocument();
  });
});
