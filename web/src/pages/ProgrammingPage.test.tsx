import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useParams } from "react-router";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { clearTokens, storeTokens } from "../auth/tokens";
import { json, renderWithApp, TOKENS } from "../test/render";
import { ProgrammingPage } from "./ProgrammingPage";

const AGENT: Schemas["AgentRead"] = {
  id: "00000000-0000-4000-8000-0000000000a1",
  name: "Bay 3 laptop",
  online: true,
  created_at: "2026-03-01T12:00:00Z",
  last_seen_at: "2026-03-01T12:05:00Z",
  revoked_at: null,
  agent_version: "0.1.0",
  hostname: "bay3",
};

const VEHICLE = {
  agent_id: AGENT.id,
  vin: "WBA5F3103MFX12345",
  vin_valid: true,
  model_series: "G20",
  read_at: "2026-03-01T12:06:00Z",
  ecus: [
    { logical_address: 0x12, name: "DME", ecu_type: "DME_B48", software_version: "1.0.0", serial_number: "D1", in_bootloader: false },
    { logical_address: 0x40, name: "BDC", ecu_type: "BDC_G20", software_version: "", serial_number: "B1", in_bootloader: true },
  ],
};

const SESSION_ID = "00000000-0000-4000-8000-000000000005";

function SessionStub() {
  const { sessionId } = useParams();
  return <p>session page {sessionId}</p>;
}

function page() {
  return (
    <Routes>
      <Route path="/programming" element={<ProgrammingPage />} />
      <Route path="/programming/sessions/:sessionId" element={<SessionStub />} />
    </Routes>
  );
}

type Handler = (request: Request, path: string) => Response | Promise<Response> | undefined;

/** A fake gateway for the programming page; `override` answers first when it returns a response. */
function gateway({ agents = [AGENT], programmingSeconds = 3600, override }: { agents?: Schemas["AgentRead"][]; programmingSeconds?: number; override?: Handler } = {}) {
  return async (request: Request) => {
    const path = new URL(request.url).pathname;
    const answer = await override?.(request, path);
    if (answer) return answer;
    if (path === "/api/identity/auth/refresh") return json(TOKENS);
    if (path === "/api/billing/entitlements/summary")
      return json({
        as_of: new Date().toISOString(),
        scopes: [{ scope: "PROGRAMMING", active: programmingSeconds > 0, valid_until: programmingSeconds > 0 ? new Date(Date.now() + programmingSeconds * 1000).toISOString() : null, seconds_left: programmingSeconds }],
      });
    if (path === "/api/programming/agents") return json({ items: agents });
    if (path === "/api/programming/sessions" && request.method === "GET") return json({ items: [] });
    if (path === "/api/programming/agents/pairing-codes") return json({ code: "ABCD-EFGH", expires_at: new Date(Date.now() + 600_000).toISOString() }, 201);
    if (path === `/api/programming/agents/${AGENT.id}/vehicle`) return json(VEHICLE);
    return json({ title: "Not found", status: 404, detail: `no fake for ${request.method} ${path}` }, 404);
  };
}

describe("ProgrammingPage", () => {
  beforeEach(() => storeTokens(TOKENS));
  afterEach(clearTokens);

  it("shows a pairing code with the command to run on the workshop PC", async () => {
    renderWithApp(page(), { route: "/programming", handler: gateway({ agents: [] }) });
    expect(await screen.findByText(/No agent is paired yet/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Pair an agent" }));
    expect(await screen.findByTestId("pairing-code")).toHaveTextContent("ABCD-EFGH");
    expect(screen.getByText(`aos-vci-agent pair --server ${window.location.origin} --code ABCD-EFGH`)).toBeInTheDocument();
  });

  it("replaces the pairing code with a confirmation once the new agent is online", async () => {
    let agents: Schemas["AgentRead"][] = [];
    renderWithApp(page(), {
      route: "/programming",
      handler: gateway({ override: (_request, path) => (path === "/api/programming/agents" ? json({ items: agents }) : undefined) }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Pair an agent" }));
    expect(await screen.findByTestId("pairing-code")).toHaveTextContent("ABCD-EFGH");
    agents = [AGENT];
    expect(await screen.findByText("The agent Bay 3 laptop is paired and online. Read its vehicle to plan a session.", undefined, { timeout: 6000 })).toBeInTheDocument();
    expect(screen.queryByTestId("pairing-code")).not.toBeInTheDocument();
  });

  it("lists agents with their online state and only lets an online agent read the vehicle", async () => {
    const offline = { ...AGENT, id: "00000000-0000-4000-8000-0000000000a2", name: "Bay 1 laptop", online: false, last_seen_at: null };
    renderWithApp(page(), { route: "/programming", handler: gateway({ agents: [AGENT, offline] }) });
    const [first, second] = await screen.findAllByTestId("agent-row");
    expect(within(first!).getByText("Online")).toBeInTheDocument();
    expect(within(second!).getByText("Offline")).toBeInTheDocument();
    expect(within(second!).getByText("never")).toBeInTheDocument();
    expect(within(first!).getByRole("button", { name: "Read vehicle: Bay 3 laptop" })).toBeEnabled();
    expect(within(second!).getByRole("button", { name: "Read vehicle: Bay 1 laptop" })).toBeDisabled();
  });

  it("reads the connected vehicle, plans a session for its VIN and opens it", async () => {
    const { requests } = renderWithApp(page(), {
      route: "/programming",
      handler: gateway({
        override: (request, path) => (path === "/api/programming/sessions" && request.method === "POST" ? json({ id: SESSION_ID }, 201) : undefined),
      }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Read vehicle: Bay 3 laptop" }));
    expect(await screen.findByTestId("vehicle-vin")).toHaveTextContent("WBA5F3103MFX12345");
    expect(screen.getByText("G20")).toBeInTheDocument();
    const dme = screen.getByText("DME").closest("tr")!;
    expect(within(dme).getByText("1.0.0")).toBeInTheDocument();
    expect(within(dme).getByText("0x0012")).toBeInTheDocument();
    expect(within(screen.getByText("BDC").closest("tr")!).getByText("in bootloader")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Plan programming session" }));
    expect(await screen.findByText(`session page ${SESSION_ID}`)).toBeInTheDocument();
    const planned = requests.find((r) => r.method === "POST" && new URL(r.url).pathname === "/api/programming/sessions")!;
    expect(await planned.json()).toEqual({ agent_id: AGENT.id, vin: "WBA5F3103MFX12345" });
  });

  it("shows why planning was refused, with the problem's detail", async () => {
    renderWithApp(page(), {
      route: "/programming",
      handler: gateway({
        programmingSeconds: 0,
        override: (request, path) =>
          path === "/api/programming/sessions" && request.method === "POST"
            ? json(
                { type: "/problems/programming-pass-required", title: "Programming pass required", status: 403, detail: "Buy PROGRAMMING_1H or a longer pass to program ECUs." },
                403,
              )
            : undefined,
      }),
    });
    expect(await screen.findByText(/You have no programming time/)).toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Read vehicle: Bay 3 laptop" }));
    await userEvent.click(await screen.findByRole("button", { name: "Plan programming session" }));
    const alert = (await screen.findByText("Buy PROGRAMMING_1H or a longer pass to program ECUs.")).closest("[role=alert]");
    expect(alert).toHaveTextContent("Programming pass required");
  });

  it("does not offer planning for a vehicle without a valid VIN", async () => {
    renderWithApp(page(), {
      route: "/programming",
      handler: gateway({
        override: (_request, path) => (path.endsWith("/vehicle") ? json({ ...VEHICLE, vin: "", vin_valid: false, model_series: null }) : undefined),
      }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Read vehicle: Bay 3 laptop" }));
    expect(await screen.findByText(/did not report a valid VIN/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Plan programming session" })).toBeDisabled();
  });

  it("revokes an agent only after the user confirms", async () => {
    let revoked = false;
    const { requests } = renderWithApp(page(), {
      route: "/programming",
      handler: gateway({
        override: (request, path) => {
          if (request.method === "DELETE" && path === `/api/programming/agents/${AGENT.id}`) {
            revoked = true;
            return json({ ...AGENT, online: false, revoked_at: "2026-03-01T12:10:00Z" });
          }
          if (path === "/api/programming/agents" && revoked) return json({ items: [{ ...AGENT, online: false, revoked_at: "2026-03-01T12:10:00Z" }] });
          return undefined;
        },
      }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Revoke: Bay 3 laptop" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke the agent Bay 3 laptop?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(requests.some((r) => r.method === "DELETE")).toBe(false);

    await userEvent.click(screen.getByRole("button", { name: "Revoke: Bay 3 laptop" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Revoke agent" }));
    expect(await screen.findByText(/No agent is paired yet/)).toBeInTheDocument();
    await waitFor(() => expect(requests.filter((r) => r.method === "DELETE")).toHaveLength(1));
  });
});
