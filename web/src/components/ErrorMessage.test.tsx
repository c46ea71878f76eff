import { MantineProvider } from "@mantine/core";
import { act, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import i18n from "../lib/i18n";
import { ApiError } from "../lib/problem";
import { ErrorMessage } from "./ErrorMessage";

const show = (error: unknown) =>
  render(
    <MantineProvider>
      <ErrorMessage error={error} />
    </MantineProvider>,
  );

describe("ErrorMessage", () => {
  it("translates a problem by its code, in English and German", async () => {
    const locked = new ApiError(429, { type: "/problems/rate-limited", code: "rate-limited", title: "Too Many Requests", detail: "limit: 5 per 1 minute" });
    show(locked);
    expect(screen.getByRole("alert")).toHaveTextContent("Too many requestsWait a moment, then try again.");
    expect(screen.getByRole("alert")).not.toHaveTextContent("per 1 minute");
    await act(() => i18n.changeLanguage("de"));
    expect(screen.getByRole("alert")).toHaveTextContent("Zu viele Anfragen");
  });

  it("lists field errors for fields the form does not show, translated, with their field's name", async () => {
    await i18n.changeLanguage("de");
    show(
      new ApiError(422, {
        code: "validation-error",
        title: "Invalid request",
        errors: [{ field: "email", code: "missing", message: "Field required", params: {} }],
      }),
    );
    expect(screen.getByRole("alert")).toHaveTextContent("E-Mail: Bitte füllen Sie dieses Feld aus.");
  });

  it("renders the server's title and detail for a problem the portal does not know", () => {
    show(new ApiError(422, { title: "Validation failed", detail: "Fix these fields and retry: email: invalid" }));
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Validation failed");
    expect(alert).toHaveTextContent("Fix these fields and retry: email: invalid");
  });

  it("renders a readable message for an error without a problem body", () => {
    show(new ApiError(503, null));
    expect(screen.getByRole("alert")).toHaveTextContent("The server answered with an error (HTTP 503).");
  });

  it("renders the network message when the server could not be reached", () => {
    show(new TypeError("Failed to fetch"));
    expect(screen.getByRole("alert")).toHaveTextContent("The server could not be reached");
  });

  it("is never blank for an unknown value", () => {
    show(undefined);
    expect(screen.getByRole("alert")).toHaveTextContent("Something went wrong");
  });
});

describe("ErrorMessage for the role and session problems", () => {
  const forbidden = new ApiError(403, {
    type: "/problems/role-forbidden",
    code: "role-forbidden",
    title: "Not allowed for your role",
    status: 403,
    detail: "Your role (accountant) may not do this; it is open to: owner, admin, technician.",
    required_roles: ["owner", "admin", "technician"],
  });
  const revoked = new ApiError(401, { type: "/problems/token-revoked", code: "token-revoked", title: "Token revoked", status: 401, detail: "Log in again." });
  const showRouted = (error: unknown) =>
    render(
      <MantineProvider>
        <MemoryRouter>
          <ErrorMessage error={error} />
        </MemoryRouter>
      </MantineProvider>,
    );

  it("says which roles may do what a 403 role-forbidden refused, and whom to ask, in English and German", async () => {
    show(forbidden);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Not open to your role");
    expect(alert).toHaveTextContent("This is for: Owner, Admin, or Technician.");
    expect(alert).toHaveTextContent("ask them");
    await act(() => i18n.changeLanguage("de"));
    expect(alert).toHaveTextContent("Für Ihre Rolle nicht freigegeben");
    expect(alert).toHaveTextContent("Freigegeben für: Inhaber, Administrator oder Techniker.");
  });

  it("falls back to the server's detail when a role-forbidden problem lacks required_roles", () => {
    show(new ApiError(403, { code: "role-forbidden", title: "Not allowed for your role", detail: "Ask an owner." }));
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Not open to your role");
    expect(alert).toHaveTextContent("Ask an owner.");
    expect(alert).not.toHaveTextContent("{{");
  });

  it("tells a member whose token was revoked to log in again, with a link, in English and German", async () => {
    showRouted(revoked);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Your access has changed");
    expect(within(alert).getByRole("link", { name: "Log in again" })).toHaveAttribute("href", "/login");
    await act(() => i18n.changeLanguage("de"));
    expect(alert).toHaveTextContent("Ihr Zugang wurde geändert");
    expect(within(alert).getByRole("link", { name: "Erneut anmelden" })).toBeInTheDocument();
  });

  it("leads a buyer whose company address is missing to the company data, in English and German", async () => {
    const missing = new ApiError(409, { type: "/problems/company-address-missing", code: "company-address-missing", title: "Company address missing", status: 409, detail: "Fill in the address." });
    showRouted(missing);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Your company's address is missing");
    expect(within(alert).getByRole("link", { name: "Open the company data" })).toHaveAttribute("href", "/company");
    await act(() => i18n.changeLanguage("de"));
    expect(alert).toHaveTextContent("Die Adresse Ihrer Firma fehlt");
    expect(within(alert).getByRole("link", { name: "Firmendaten öffnen" })).toBeInTheDocument();
  });
});
