import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import i18n from "../../../lib/i18n";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { AccountPage } from "./AccountPage";

const THIS = { id: "s-1", device: "Mac", browser: "Firefox 140", ip: "192.0.2.1", created_at: "2026-12-01T08:00:00Z", last_used_at: "2026-12-03T08:00:00Z", current: true };
const PHONE = { id: "s-2", device: "iPhone", browser: "Mobile Safari 19", ip: "198.51.100.7", created_at: "2026-11-30T08:00:00Z", last_used_at: "2026-12-02T18:00:00Z", current: false };
const WRONG = { type: "/problems/reauthentication-failed", code: "reauthentication-failed", title: "Password or authenticator code wrong", status: 403 };

type Answer = (request: Request) => Response | Promise<Response>;

function gateway(extra: Record<string, Answer> = {}) {
  return memberGateway("technician", (request) => {
    const path = new URL(request.url).pathname;
    const answer = extra[`${request.method} ${path}`];
    if (answer) return answer(request);
    if (path === "/api/identity/me/sessions") return json({ items: [THIS, PHONE] });
    return json({ title: "Not found", status: 404 }, 404);
  });
}

describe("AccountPage", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("changes the password with the current one and a code, and translates a wrong one", async () => {
    storeTokens(TOKENS);
    let answer: Answer = () => json(WRONG, 403);
    const { requests } = renderWithApp(<AccountPage />, { handler: gateway({ "POST /api/identity/me/password": (request) => answer(request) }) });
    const form = await screen.findByRole("form", { name: "Change password" });
    await userEvent.type(within(form).getByLabelText(/Current password/), "old password 1");
    await userEvent.type(within(form).getByLabelText(/Authenticator code/), "123456");
    await userEvent.type(within(form).getByLabelText(/New password/), "new password 22");
    await userEvent.click(within(form).getByRole("button", { name: "Change password" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("Nothing was changed. Check both and try again.");
    await act(() => i18n.changeLanguage("de"));
    expect(within(form).getByRole("alert")).toHaveTextContent("Passwort oder Authenticator-Code falsch");
    await act(() => i18n.changeLanguage("en"));
    const sent = requests.find((request) => request.url.endsWith("/me/password"))!;
    expect(await sent.json()).toEqual({ current_password: "old password 1", totp_code: "123456", new_password: "new password 22" });
    answer = () => new Response(null, { status: 204 });
    await userEvent.click(within(form).getByRole("button", { name: "Change password" }));
    expect(await within(form).findByRole("status")).toHaveTextContent("Your other logins have ended; this one stays.");
  });

  it("asks for an e-mail change and says the link went to the new address", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<AccountPage />, { handler: gateway({ "POST /api/identity/me/email-changes": () => json({ status: "accepted" }, 202) }) });
    const form = await screen.findByRole("form", { name: "Change e-mail address" });
    await userEvent.type(within(form).getByLabelText(/New e-mail address/), "new@example.com");
    await userEvent.type(within(form).getByLabelText(/Current password/), "pw pw pw pw 1");
    await userEvent.type(within(form).getByLabelText(/Authenticator code/), "654321");
    await userEvent.click(within(form).getByRole("button", { name: "Send confirmation link" }));
    expect(await within(form).findByRole("status")).toHaveTextContent("If new@example.com can be used, a link was sent there.");
    const sent = requests.find((request) => request.url.endsWith("/me/email-changes"))!;
    expect(await sent.json()).toEqual({ new_email: "new@example.com", password: "pw pw pw pw 1", totp_code: "654321" });
  });

  it("shows new recovery codes once, to copy, download and print", async () => {
    storeTokens(TOKENS);
    const print = vi.spyOn(window, "print").mockImplementation(() => undefined);
    const createObjectURL = vi.fn(() => "blob:codes");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    renderWithApp(<AccountPage />, { handler: gateway({ "POST /api/identity/me/recovery-codes": () => json({ recovery_codes: ["aaaa-1111", "bbbb-2222"] }) }) });
    const form = await screen.findByRole("form", { name: "Recovery codes" });
    await userEvent.type(within(form).getByLabelText(/Current password/), "pw pw pw pw 1");
    await userEvent.type(within(form).getByLabelText(/Authenticator code/), "654321");
    await userEvent.click(within(form).getByRole("button", { name: "Make new recovery codes" }));
    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(list).toHaveTextContent("aaaa-1111");
    expect(list).toHaveTextContent("bbbb-2222");
    expect(screen.getByText(/These codes are shown only now/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Download (.txt)" }));
    const blob = (createObjectURL.mock.calls[0] as unknown as [Blob])[0];
    expect(await blob.text()).toContain("aaaa-1111\nbbbb-2222");
    await userEvent.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalled();
    expect(document.body).toHaveClass("aos-print-codes");
    print.mockRestore();
  });

  it("lists my logins with the current one marked, logs out one and all others", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<AccountPage />, {
      handler: gateway({
        "DELETE /api/identity/me/sessions/s-2": () => new Response(null, { status: 204 }),
        "POST /api/identity/me/sessions/revoke-all": () => json({ revoked: 1 }),
      }),
    });
    const table = await screen.findByRole("table", { name: "My logins" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("This login");
    expect(within(rows[0]!).queryByRole("button")).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent("iPhone");
    expect(rows[1]).toHaveTextContent("198.51.100.7");
    await userEvent.click(within(rows[1]!).getByRole("button", { name: "Log out" }));
    await waitFor(() => expect(requests.some((r) => r.method === "DELETE" && r.url.endsWith("/me/sessions/s-2"))).toBe(true));
    await userEvent.click(screen.getByRole("button", { name: "Log out all other logins" }));
    expect(await screen.findByText("1 other login was logged out.")).toBeInTheDocument();
  });
});
