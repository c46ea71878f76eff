import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { CompanyPage } from "./CompanyPage";

const PROFILE = {
  id: "o-1",
  legal_name: "Werkstatt Muster GmbH",
  street: "Hauptstraße 1",
  postcode: "10115",
  city: "Berlin",
  country: "DE",
  vat_id: "DE123456789",
  invoice_email: null,
};
const BAD_VAT = {
  type: "/problems/validation-error",
  code: "validation-error",
  title: "Invalid request",
  status: 422,
  errors: [{ field: "vat_id", code: "vat-id-country-mismatch", message: "…", params: { country: "DE", expected_prefix: "DE" } }],
};

function gateway(role: string, patch?: (request: Request) => Response) {
  return memberGateway(role, (request) => {
    if (request.method === "PATCH" && patch) return patch(request);
    if (new URL(request.url).pathname === "/api/identity/organizations/current") return json(PROFILE);
    return json({ title: "Not found", status: 404 }, 404);
  });
}

describe("CompanyPage", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("lets an admin edit and shows the server's field error at its field", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<CompanyPage />, { handler: gateway("admin", () => json(BAD_VAT, 422)) });
    const vat = await screen.findByLabelText(/VAT ID/);
    await userEvent.clear(vat);
    await userEvent.type(vat, "FR1");
    await userEvent.click(await screen.findByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByLabelText(/VAT ID/)).toHaveAccessibleDescription("A VAT ID from Germany starts with DE."));
    const patch = requests.find((request) => request.method === "PATCH")!;
    expect(await patch.json()).toEqual({ ...PROFILE, id: undefined, vat_id: "FR1" });
    // An admin does not close the workshop.
    expect(screen.queryByRole("form", { name: "Close the workshop" })).not.toBeInTheDocument();
  });

  it("shows a technician the data without a way to change them", async () => {
    storeTokens(TOKENS);
    renderWithApp(<CompanyPage />, { handler: gateway("technician") });
    expect(await screen.findByDisplayValue("Werkstatt Muster GmbH")).toHaveAttribute("readonly");
    expect(screen.getByText("The owner or an admin of your workshop can change these data.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
  });

  it("lets the owner close the workshop after the warning, with password and code", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<CompanyPage />, {
      handler: memberGateway("owner", (request) =>
        request.url.endsWith("/close") ? json({ id: "o-1", closed_at: "2026-12-03T09:00:00Z" }) : json(PROFILE),
      ),
    });
    const form = await screen.findByRole("form", { name: "Close the workshop" });
    expect(form).toHaveTextContent("The company data and the invoices are kept");
    const submit = screen.getByRole("button", { name: "Close the workshop" });
    expect(submit).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Your password/), "pw pw pw pw 1");
    await userEvent.type(screen.getByLabelText(/Authenticator code/), "123456");
    await userEvent.click(screen.getByLabelText(/I understand/));
    await userEvent.click(submit);
    expect(await screen.findByText("The workshop was closed. Every login has ended.")).toBeInTheDocument();
    const close = requests.find((request) => request.url.endsWith("/close"))!;
    expect(await close.json()).toEqual({ password: "pw pw pw pw 1", totp_code: "123456" });
  });

  it("lets an admin switch on the expiry e-mail and choose the hours before", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<CompanyPage />, {
      handler: memberGateway("admin", (request) => {
        if (new URL(request.url).pathname !== "/api/billing/notifications/expiry") return json(PROFILE);
        return request.method === "PUT" ? request.json().then((body) => json(body)) : json({ email: false, hours_before: 24 });
      }),
    });
    const hours = await screen.findByRole("textbox", { name: "Hours before the end" });
    expect(hours).toBeDisabled();
    await userEvent.click(screen.getByRole("switch", { name: "Send an e-mail before a pass ends" }));
    await userEvent.clear(hours);
    await userEvent.type(hours, "48");
    await userEvent.click(screen.getByRole("button", { name: "Save the e-mail setting" }));
    expect(await screen.findByText("The e-mail setting is saved.")).toBeInTheDocument();
    const put = requests.find((request) => request.method === "PUT")!;
    expect(await put.json()).toEqual({ email: true, hours_before: 48 });
  });

  it("keeps hours outside 1 to 168 from being saved", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<CompanyPage />, {
      handler: memberGateway("owner", (request) =>
        new URL(request.url).pathname === "/api/billing/notifications/expiry" ? json({ email: true, hours_before: 24 }) : json(PROFILE),
      ),
    });
    const hours = await screen.findByRole("textbox", { name: "Hours before the end" });
    await userEvent.clear(hours);
    await userEvent.type(hours, "0");
    expect(screen.getByRole("button", { name: "Save the e-mail setting" })).toBeDisabled();
    expect(requests.some((request) => request.method === "PUT")).toBe(false);
  });

  it("shows a technician no expiry e-mail setting and asks billing nothing about it", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<CompanyPage />, { handler: gateway("technician") });
    await screen.findByDisplayValue("Werkstatt Muster GmbH");
    expect(screen.queryByRole("region", { name: "Expiry e-mail" })).toBeNull();
    expect(requests.some((request) => request.url.includes("/notifications/"))).toBe(false);
  });
});
