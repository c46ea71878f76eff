import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderWithApp } from "../test/render";
import { RegisterPage } from "./RegisterPage";

const RESEND = "/api/identity/email-verifications/resend";
const CREATED = { organization_id: "org-1", user_id: "user-1", email: "owner@example.com", verification_email_sent: true };
const ACCEPTED = { detail: "If this address has an account that is not verified yet, a new verification mail is on its way." };

const path = (request: Request) => new URL(request.url).pathname;

async function register() {
  await userEvent.type(screen.getByLabelText(/Company name/), "Werkstatt Muster GmbH");
  await userEvent.type(screen.getByLabelText(/Country/), "de");
  await userEvent.type(screen.getByLabelText(/VAT ID/), "DE123456789");
  await userEvent.type(screen.getByLabelText(/Your name/), "Max Muster");
  await userEvent.type(screen.getByLabelText(/E-mail/), "Owner@Example.com");
  await userEvent.type(screen.getByLabelText(/^Password/), "correct horse battery");
  await userEvent.click(screen.getByRole("button", { name: "Register" }));
  await screen.findByText(/we sent a verification link to owner@example.com/);
}

describe("RegisterPage", () => {
  it("sends the verification link again to the registered address", async () => {
    const { requests } = renderWithApp(<RegisterPage />, {
      route: "/register",
      handler: (request) => (path(request) === RESEND ? json(ACCEPTED, 202) : json(CREATED, 201)),
    });
    await register();
    expect(await requests[0]!.json()).toMatchObject({ country: "DE", email: "Owner@Example.com" });
    await userEvent.click(screen.getByRole("button", { name: "Send the link again" }));
    expect(await screen.findByText(/a new link is on its way/)).toBeInTheDocument();
    const resend = requests.find((request) => path(request) === RESEND)!;
    // The address as the service stored it (normalised), not as typed.
    expect(await resend.json()).toEqual({ email: "owner@example.com" });
  });

  it("does not send twice while a resend is under way", async () => {
    let answer: (response: Response) => void = () => undefined;
    const { requests } = renderWithApp(<RegisterPage />, {
      route: "/register",
      handler: (request) => (path(request) === RESEND ? new Promise<Response>((resolve) => (answer = resolve)) : json(CREATED, 201)),
    });
    await register();
    const button = screen.getByRole("button", { name: "Send the link again" });
    await userEvent.click(button);
    await waitFor(() => expect(button).toBeDisabled());
    await userEvent.click(button);
    expect(requests.filter((request) => path(request) === RESEND)).toHaveLength(1);
    answer(json(ACCEPTED, 202));
    expect(await screen.findByText(/a new link is on its way/)).toBeInTheDocument();
    expect(button).toBeEnabled();
  });

  it("shows the problem when the resend fails", async () => {
    renderWithApp(<RegisterPage />, {
      route: "/register",
      handler: (request) =>
        path(request) === RESEND
          ? json({ type: "/problems/internal", title: "Internal server error", status: 500, detail: "Try again later." }, 500)
          : json(CREATED, 201),
    });
    await register();
    await userEvent.click(screen.getByRole("button", { name: "Send the link again" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Internal server error");
    expect(alert).toHaveTextContent("Try again later.");
    expect(screen.queryByText(/a new link is on its way/)).toBeNull();
  });
});
