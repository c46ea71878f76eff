import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { json, renderWithApp } from "../../../test/render";
import { ForgotPasswordPage } from "./ForgotPasswordPage";
import { ResetPasswordPage } from "./ResetPasswordPage";
import { TotpResetPage } from "./TotpResetPage";

function Enrolment() {
  const state = useLocation().state as { enrolmentToken?: string } | null;
  return <p>enrolment with {state?.enrolmentToken}</p>;
}

const app = (
  <Routes>
    <Route path="/forgot-password" element={<ForgotPasswordPage />} />
    <Route path="/reset-password" element={<ResetPasswordPage />} />
    <Route path="/totp-reset" element={<TotpResetPage />} />
    <Route path="/totp-enrolment" element={<Enrolment />} />
  </Routes>
);

describe("Recovering an account", { timeout: 20_000 }, () => {
  it("asks for a reset link and says it is on its way if the address has an account", async () => {
    const { requests } = renderWithApp(app, { route: "/forgot-password", handler: () => json({ status: "accepted" }, 202) });
    await userEvent.type(screen.getByLabelText(/E-mail/), "max@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send link" }));
    expect(await screen.findByRole("status")).toHaveTextContent("If max@example.com has an account, a link is on its way.");
    expect(await requests[0]!.json()).toEqual({ email: "max@example.com" });
  });

  it("sets a new password with the mailed token", async () => {
    const { requests } = renderWithApp(app, { route: "/reset-password?token=reset-1", handler: () => new Response(null, { status: 204 }) });
    await userEvent.type(screen.getByLabelText(/New password/), "a brand new password");
    await userEvent.click(screen.getByRole("button", { name: "Save password" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Your password was changed and every login has ended.");
    expect(screen.getByRole("link", { name: "Log in" })).toHaveAttribute("href", "/login");
    expect(new URL(requests[0]!.url).pathname).toBe("/api/identity/password-resets/confirm");
    expect(await requests[0]!.json()).toEqual({ token: "reset-1", password: "a brand new password" });
  });

  it("explains a used reset link", async () => {
    renderWithApp(app, {
      route: "/reset-password?token=reset-1",
      handler: () => json({ type: "/problems/password-reset-token-used", code: "password-reset-token-used", title: "Used", status: 409 }, 409),
    });
    await userEvent.type(screen.getByLabelText(/New password/), "a brand new password");
    await userEvent.click(screen.getByRole("button", { name: "Save password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This link was already used");
  });

  it("lost phone: e-mail, password and recovery code lead into the authenticator set-up", async () => {
    const { requests } = renderWithApp(app, { route: "/totp-reset", handler: () => json({ enrolment_token: "enrol-5", enrolment_expires_in: 600 }) });
    await userEvent.type(screen.getByLabelText(/E-mail/), "max@example.com");
    await userEvent.type(screen.getByLabelText(/^Password/), "correct horse battery");
    await userEvent.type(screen.getByLabelText(/Recovery code/), "abcd-efgh");
    await userEvent.click(screen.getByRole("button", { name: "Set up a new authenticator" }));
    expect(await screen.findByText("enrolment with enrol-5")).toBeInTheDocument();
    expect(await requests[0]!.json()).toEqual({ email: "max@example.com", password: "correct horse battery", recovery_code: "abcd-efgh" });
  });
});
