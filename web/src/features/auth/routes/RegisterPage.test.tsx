import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import i18n from "../../../lib/i18n";
import { json, renderWithApp } from "../../../test/render";
import { RegisterPage } from "./RegisterPage";

const RESEND = "/api/identity/email-verifications/resend";
const CREATED = { organization_id: "org-1", user_id: "user-1", email: "owner@example.com", verification_email_sent: true };
const ACCEPTED = { detail: "If this address has an account that is not verified yet, a new verification mail is on its way." };

const path = (request: Request) => new URL(request.url).pathname;

// Pasted rather than typed key by key, and no pointer-events check for each of the 249
// countries: every keystroke re-renders the form, which takes long in jsdom on a busy machine.
const user = userEvent.setup({ pointerEventsCheck: 0 });

async function enter(label: RegExp, text: string) {
  await user.click(screen.getByLabelText(label));
  await user.paste(text);
}

async function fillIn() {
  await enter(/Company name/, "Werkstatt Muster GmbH");
  await user.selectOptions(screen.getByLabelText(/Country/), "DE");
  await enter(/VAT ID/, "DE123456789");
  await enter(/Your name/, "Max Muster");
  await enter(/E-mail/, "Owner@Example.com");
  await enter(/^Password/, "correct horse battery");
  await user.click(screen.getByRole("button", { name: "Register" }));
}

async function register() {
  await fillIn();
  await screen.findByText(/we sent a verification link to owner@example.com/);
}

/** A 422 problem as the services answer it, with field errors (see the problem contract). */
const INVALID = {
  type: "/problems/validation-error",
  code: "validation-error",
  title: "Invalid request",
  status: 422,
  detail: "Fix these fields and retry: vat_id: a VAT id of a company in DE starts with AT, not DE",
  errors: [
    {
      field: "vat_id",
      code: "vat-id-country-mismatch",
      message: "a VAT id of a company in AT starts with AT, not DE",
      params: { country: "AT", prefix: "DE", expected_prefix: "AT" },
    },
    { field: "company_name", code: "string_too_short", message: "String should have at least 2 characters", params: { min_length: 2 } },
    { field: "path.thing", code: "brand-new-rule", message: "a rule the portal does not know yet", params: {} },
  ],
};

// A slow machine needs more than the default 5 s for a form of this size in jsdom.
describe("RegisterPage", { timeout: 20_000 }, () => {
  it("offers the countries by name, EU, EEA and Switzerland first, and sends the ISO code", async () => {
    const { requests } = renderWithApp(<RegisterPage />, { route: "/register", handler: () => json(CREATED, 201) });
    // Read through the DOM: role queries over 249 options are very slow in jsdom.
    const select = screen.getByLabelText<HTMLSelectElement>(/Country/);
    const groups = [...select.querySelectorAll("optgroup")];
    expect(groups.map((group) => group.label)).toEqual(["EU, EEA and Switzerland", "Other countries"]);
    const names = (group: HTMLOptGroupElement) => [...group.querySelectorAll("option")].map((option) => `${option.value} ${option.text}`);
    expect(names(groups[0]!)).toContain("AT Austria");
    expect(names(groups[0]!)).toContain("CH Switzerland");
    expect(names(groups[0]!)).not.toContain("GE Georgia");
    expect(names(groups[1]!)).toContain("GE Georgia");
    await register();
    expect(await requests[0]!.json()).toMatchObject({ country: "DE", vat_id: "DE123456789" });
  });

  it("names the countries in German", async () => {
    await i18n.changeLanguage("de");
    renderWithApp(<RegisterPage />, { route: "/register" });
    const options = [...screen.getByLabelText<HTMLSelectElement>(/Land/).options].map((option) => `${option.value} ${option.text}`);
    expect(options).toContain("DE Deutschland");
    expect(options).toContain("AT Österreich");
  });

  it("shows the server's field errors next to their fields, translated by code", async () => {
    renderWithApp(<RegisterPage />, { route: "/register", handler: () => json(INVALID, 422) });
    await fillIn();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Please check your input");
    expect(alert).not.toHaveTextContent("vat_id");
    expect(screen.getByLabelText(/VAT ID/)).toHaveAccessibleDescription(/A VAT ID from Austria starts with AT\./);
    expect(screen.getByLabelText(/VAT ID/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText(/Company name/)).toHaveAccessibleDescription("Please enter at least 2 characters.");
    // A field the form does not show, with a code the portal does not know: listed in the alert
    // with the server's own message.
    expect(alert).toHaveTextContent("path.thing: a rule the portal does not know yet");
  });

  it("shows the field errors in German", async () => {
    await i18n.changeLanguage("de");
    renderWithApp(<RegisterPage />, { route: "/register", handler: () => json(INVALID, 422) });
    await userEvent.click(screen.getByRole("button", { name: "Registrieren" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Bitte prüfen Sie Ihre Eingaben");
    expect(screen.getByLabelText(/USt-IdNr/)).toHaveAccessibleDescription(/Eine USt-IdNr\. aus Österreich beginnt mit AT\./);
    expect(screen.getByLabelText(/Firmenname/)).toHaveAccessibleDescription("Bitte geben Sie mindestens 2 Zeichen ein.");
  });

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
