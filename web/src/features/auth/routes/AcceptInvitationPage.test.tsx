import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { json, renderWithApp } from "../../../test/render";
import { AcceptInvitationPage } from "./AcceptInvitationPage";

function Enrolment() {
  const state = useLocation().state as { enrolmentToken?: string } | null;
  return <p>enrolment with {state?.enrolmentToken}</p>;
}

const app = (
  <Routes>
    <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
    <Route path="/totp-enrolment" element={<Enrolment />} />
  </Routes>
);
const PREVIEW = { organization_name: "Werkstatt Muster GmbH", email: "tina@example.com", role: "technician", expires_at: "2026-12-08T08:00:00Z" };

describe("AcceptInvitationPage", { timeout: 20_000 }, () => {
  it("shows who invites whom as what, then takes name and password into the TOTP set-up", async () => {
    const { requests } = renderWithApp(app, {
      route: "/accept-invitation?token=tok-1",
      handler: (request) =>
        new URL(request.url).pathname === "/api/identity/invitations/preview"
          ? json(PREVIEW)
          : json({ user_id: "u", organization_id: "o", email: "tina@example.com", enrolment_token: "enrol-9", enrolment_expires_in: 600 }, 201),
    });
    expect(await screen.findByText("Werkstatt Muster GmbH invites tina@example.com to AOS as Technician.")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Your name/), "Tina");
    await userEvent.type(screen.getByLabelText(/Choose a password/), "a long enough pw");
    await userEvent.click(screen.getByRole("button", { name: "Accept and continue" }));
    expect(await screen.findByText("enrolment with enrol-9")).toBeInTheDocument();
    const preview = requests.find((request) => new URL(request.url).pathname === "/api/identity/invitations/preview")!;
    expect(await preview.json()).toEqual({ token: "tok-1" });
    const accept = requests.find((request) => new URL(request.url).pathname === "/api/identity/invitations/accept")!;
    expect(await accept.json()).toEqual({ token: "tok-1", name: "Tina", password: "a long enough pw" });
  });

  it("explains a dead link instead of the form", async () => {
    renderWithApp(app, {
      route: "/accept-invitation?token=tok-old",
      handler: () => json({ type: "/problems/invitation-expired", code: "invitation-expired", title: "Invitation expired", status: 410 }, 410),
    });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This invitation has expired");
    expect(alert).toHaveTextContent("Ask the workshop to send it again.");
    expect(screen.queryByRole("button", { name: "Accept and continue" })).not.toBeInTheDocument();
  });

  it("shows the password rule's error at the password field", async () => {
    renderWithApp(app, {
      route: "/accept-invitation?token=tok-1",
      handler: (request) =>
        new URL(request.url).pathname === "/api/identity/invitations/preview"
          ? json(PREVIEW)
          : json(
              {
                type: "/problems/validation-error",
                code: "validation-error",
                title: "Invalid request",
                status: 422,
                errors: [{ field: "password", code: "string_too_short", message: "String should have at least 12 characters", params: { min_length: 12 } }],
              },
              422,
            ),
    });
    await userEvent.type(await screen.findByLabelText(/Your name/), "Tina");
    await userEvent.type(screen.getByLabelText(/Choose a password/), "short");
    await userEvent.click(screen.getByRole("button", { name: "Accept and continue" }));
    expect(await screen.findByText("Please enter at least 12 characters.")).toBeInTheDocument();
  });
});
