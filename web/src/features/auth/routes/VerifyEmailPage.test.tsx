import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderWithApp } from "../../../test/render";
import { VerifyEmailPage } from "./VerifyEmailPage";

const RESEND = "/api/identity/email-verifications/resend";
const ACCEPTED = { detail: "If this address has an account that is not verified yet, a new verification mail is on its way." };
const EXPIRED = {
  type: "/problems/verification-token-expired",
  title: "Verification token expired",
  status: 410,
  detail: "This verification link has expired (it is valid for 24 hours); request a new mail.",
};

const path = (request: Request) => new URL(request.url).pathname;

describe("VerifyEmailPage", () => {
  it("verifies the token from the link once and offers the login", async () => {
    const { requests } = renderWithApp(<VerifyEmailPage />, {
      route: "/verify-email?token=tok-1",
      handler: () => json({ user_id: "u1", email: "owner@example.com", email_verified: true }),
    });
    expect(await screen.findByRole("status")).toHaveTextContent("Your e-mail address is verified.");
    expect(screen.getByRole("link", { name: "Go to login" })).toHaveAttribute("href", "/login");
    expect(requests).toHaveLength(1);
    expect(await requests[0]!.json()).toEqual({ token: "tok-1" });
    expect(screen.queryByRole("button", { name: "Send the link again" })).toBeNull();
  });

  it("sends the link again to the given address when the token has expired", async () => {
    const { requests } = renderWithApp(<VerifyEmailPage />, {
      route: "/verify-email?token=old",
      handler: (request) => (path(request) === RESEND ? json(ACCEPTED, 202) : json(EXPIRED, 410)),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has expired");
    await userEvent.type(screen.getByLabelText(/E-mail/), "owner@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send the link again" }));
    expect(await screen.findByRole("status")).toHaveTextContent("a new link is on its way");
    const resend = requests.find((request) => path(request) === RESEND)!;
    expect(resend.method).toBe("POST");
    expect(await resend.json()).toEqual({ email: "owner@example.com" });
  });

  it("offers a new link when the page was opened without a token", async () => {
    const { requests } = renderWithApp(<VerifyEmailPage />, { route: "/verify-email", handler: () => json(ACCEPTED, 202) });
    expect(screen.getByText(/has no verification token/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/E-mail/), "owner@example.com{Enter}");
    expect(await screen.findByRole("status")).toHaveTextContent("a new link is on its way");
    expect(requests.map(path)).toEqual([RESEND]);
  });

  it("shows the problem when the address is refused", async () => {
    renderWithApp(<VerifyEmailPage />, {
      route: "/verify-email",
      handler: () =>
        json(
          {
            type: "/problems/validation-error",
            code: "validation-error",
            title: "Invalid request",
            status: 422,
            detail: "Fix these fields and retry: email: Value error, not a valid e-mail address",
            errors: [{ field: "email", code: "value_error", message: "Value error, not a valid e-mail address", params: {} }],
          },
          422,
        ),
    });
    await userEvent.type(screen.getByLabelText(/E-mail/), "not-an-address{Enter}");
    await screen.findByRole("alert", { name: "Please check your input" });
    // The field's own error, next to it: the rule's sentence (in English), without "Value error".
    expect(screen.getByLabelText(/E-mail/)).toHaveAccessibleDescription("not a valid e-mail address");
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("sends only one request while the first is under way", async () => {
    let answer: (response: Response) => void = () => undefined;
    const { requests } = renderWithApp(<VerifyEmailPage />, {
      route: "/verify-email",
      handler: () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    await userEvent.type(screen.getByLabelText(/E-mail/), "owner@example.com");
    const button = screen.getByRole("button", { name: "Send the link again" });
    await userEvent.click(button);
    await waitFor(() => expect(button).toBeDisabled());
    await userEvent.click(button);
    await userEvent.type(screen.getByLabelText(/E-mail/), "{Enter}");
    expect(requests).toHaveLength(1);
    answer(json(ACCEPTED, 202));
    expect(await screen.findByRole("status")).toBeInTheDocument();
    expect(button).toBeEnabled();
    expect(requests).toHaveLength(1);
  });

  it("keeps the problem of the verification visible next to a failed resend", async () => {
    renderWithApp(<VerifyEmailPage />, {
      route: "/verify-email?token=old",
      handler: (request) => (path(request) === RESEND ? Promise.reject(new TypeError("Failed to fetch")) : json(EXPIRED, 410)),
    });
    await screen.findByRole("alert");
    await userEvent.type(screen.getByLabelText(/E-mail/), "owner@example.com{Enter}");
    await waitFor(() => expect(screen.getAllByRole("alert")).toHaveLength(2));
    const [verifyProblem, resendProblem] = screen.getAllByRole("alert");
    expect(verifyProblem).toHaveTextContent("This link has expired");
    expect(resendProblem).toHaveTextContent(/server could not be reached/);
  });
});
