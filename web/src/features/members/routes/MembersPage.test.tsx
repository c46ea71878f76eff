import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../../../lib/i18n";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { MembersPage } from "./MembersPage";

const BASE = "/api/identity/organizations/current";
const OWNER = { id: "u-1", name: "Max Muster", email: "max@example.com", role: "owner", totp_enabled: true, last_login_at: "2026-12-01T08:30:00Z", active: true, deactivated_at: null };
const TECH = { id: "u-2", name: "Tina Technik", email: "tina@example.com", role: "technician", totp_enabled: false, last_login_at: null, active: true, deactivated_at: null };
const PENDING = {
  id: "i-1",
  email: "anna@example.com",
  role: "accountant",
  state: "pending",
  invited_by: "u-1",
  created_at: "2026-12-01T08:00:00Z",
  expires_at: "2026-12-08T08:00:00Z",
  accepted_at: null,
  revoked_at: null,
};
const LAST_OWNER = { type: "/problems/last-owner", code: "last-owner", title: "The last active owner cannot go", status: 409, detail: "…" };

type Answer = (request: Request) => Response | Promise<Response>;

/** The owner's gateway: members and invitations, plus `extra` answers by "METHOD path". */
function gateway(extra: Record<string, Answer> = {}) {
  return memberGateway("owner", (request) => {
    const path = new URL(request.url).pathname;
    const answer = extra[`${request.method} ${path}`];
    if (answer) return answer(request);
    if (path === `${BASE}/members`) return json({ items: [OWNER, TECH] });
    if (path === `${BASE}/invitations`) return json({ items: [PENDING] });
    return json({ title: "Not found", status: 404 }, 404);
  });
}

const row = async (email: string) => screen.findByTestId(`member-${email}`);

describe("MembersPage", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("lists the members with role, 2FA, last login and state, and the pending invitations", async () => {
    storeTokens(TOKENS);
    renderWithApp(<MembersPage />, { handler: gateway() });
    const tina = await row("tina@example.com");
    expect(within(tina).getByRole("combobox", { name: "Role of Tina Technik" })).toHaveValue("technician");
    expect(tina).toHaveTextContent("Not set up");
    expect(tina).toHaveTextContent("Never");
    expect(tina).toHaveTextContent("Active");
    expect(await row("max@example.com")).toHaveTextContent("On");
    const invitations = await screen.findByRole("table", { name: "Invitations" });
    expect(invitations).toHaveTextContent("anna@example.com");
    expect(invitations).toHaveTextContent("Accountant");
    expect(within(invitations).getByRole("button", { name: "Send again" })).toBeInTheDocument();
    expect(within(invitations).getByRole("button", { name: "Revoke" })).toBeInTheDocument();
  });

  it("changes a role, and shows the last-owner refusal in the reader's language", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<MembersPage />, {
      handler: gateway({ [`PATCH ${BASE}/members/u-1`]: () => json(LAST_OWNER, 409) }),
    });
    fireEvent.change(within(await row("max@example.com")).getByRole("combobox"), { target: { value: "admin" } });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The last owner cannot go");
    expect(alert).toHaveTextContent("make another member owner first");
    const patch = requests.find((request) => request.method === "PATCH")!;
    expect(await patch.json()).toEqual({ role: "admin" });
    await act(() => i18n.changeLanguage("de"));
    expect(screen.getByRole("alert")).toHaveTextContent("Der letzte Inhaber kann nicht gehen");
  });

  it("invites by e-mail with a role", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<MembersPage />, {
      handler: gateway({ [`POST ${BASE}/invitations`]: () => json({ ...PENDING, id: "i-2", email: "new@example.com", role: "admin" }, 201) }),
    });
    await userEvent.type(await screen.findByLabelText(/E-mail address/), "new@example.com");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role" }), "Admin");
    await userEvent.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("An invitation was sent to new@example.com.")).toBeInTheDocument();
    const post = requests.find((request) => request.method === "POST" && request.url.endsWith("/invitations"))!;
    expect(await post.json()).toEqual({ email: "new@example.com", role: "admin" });
  });

  it("deactivates a member", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<MembersPage />, {
      handler: gateway({ [`POST ${BASE}/members/u-2/deactivate`]: () => json({ ...TECH, active: false }) }),
    });
    await userEvent.click(within(await row("tina@example.com")).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(requests.some((r) => r.method === "POST" && r.url.endsWith("/members/u-2/deactivate"))).toBe(true));
  });

  it("removes a member only after the confirmation", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<MembersPage />, {
      handler: gateway({ [`DELETE ${BASE}/members/u-2`]: () => new Response(null, { status: 204 }) }),
    });
    await userEvent.click(within(await row("tina@example.com")).getByRole("button", { name: "Remove" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove Tina Technik?" });
    expect(dialog).toHaveTextContent("This cannot be undone.");
    expect(requests.some((r) => r.method === "DELETE")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Remove for good" }));
    await waitFor(() => expect(requests.some((r) => r.method === "DELETE" && r.url.endsWith("/members/u-2"))).toBe(true));
  });
});
