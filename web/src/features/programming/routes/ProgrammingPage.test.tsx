import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useParams } from "react-router";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import { clearTokens, storeTokens } from "../../../test/session";
import { json, me, renderWithApp, TOKENS } from "../../../test/render";
import { CATALOG, PROGRAMMING_VIN, storedCart } from "../../../test/commerce";
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
    if (path === "/api/identity/me") return json(me("owner"));
    if (path === "/api/billing/entitlements/summary")
      return json({
        as_of: new Date().toISOString(),
        scopes: [{ scope: "PROGRAMMING", active: programmingSeconds > 0, valid_until: programmingSeconds > 0 ? new Date(Date.now() + programmingSeconds * 1000).toISOString() : null, seconds_left: programmingSeconds }],
      });
    if (path === "/api/programming/agents") return json({ items: agents });
    if (path === "/api/programming/sessions" && request.method === "GET") return json({ items: [], total: 0, limit: 20, offset: 0 });
    if (path === "/api/programming/agents/pairing-codes") return json({ code: "ABCD-EFGH", expires_at: new Date(Date.now() + 600_000).toISOString() }, 201);
    if (path === `/api/programming/agents/${AGENT.id}/vehicle`) return json(VEHICLE);
    return json({ title: "Not found", status: 404, detail: `no fake for ${request.method} ${path}` }, 404);
  };
}

/** `total` sessions of the organisation, newest first, answered a page at a time as the API does. */
function sessionPages(total: number): Handler {
  return (request, path) => {
    if (path !== "/api/programming/sessions" || request.method !== "GET") return undefined;
    const query = new URL(request.url).searchParams;
    const limit = Number(query.get("limit"));
    const offset = Number(query.get("offset"));
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, index) => {
      const n = total - offset - index; // session n was the n-th created
      return {
        id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
        agent_id: AGENT.id,
        vin: `WBA5F3103MFX${String(n).padStart(5, "0")}`,
        model_series: "G20",
        state: "COMPLETED",
        created_at: new Date(Date.UTC(2026, 2, 1, 0, n)).toISOString(),
        started_at: null,
        ended_at: null,
        end_detail: null,
        job_count: 1,
        estimated_seconds: 36,
      };
    });
    return json({ items, total, limit, offset });
  };
}

function sessionRequests(requests: Request[]) {
  return requests
    .filter((r) => r.method === "GET" && new URL(r.url).pathname === "/api/programming/sessions")
    .map((r) => Object.fromEntries(new URL(r.url).searchParams));
}

describe("ProgrammingPage sessions", () => {
  beforeEach(() => storeTokens(TOKENS));
  afterEach(clearTokens);

  it("says when there are no sessions yet", async () => {
    renderWithApp(page(), { route: "/programming", handler: gateway() });
    expect(await screen.findByText("No programming sessions yet.")).toBeInTheDocument();
    expect(screen.queryByLabelText("Pages of sessions")).not.toBeInTheDocument();
  });

  it("lists the newest sessions a page at a time", async () => {
    const { requests } = renderWithApp(page(), { route: "/programming", handler: gateway({ override: sessionPages(45) }) });
    const sessions = await screen.findByRole("region", { name: "Sessions" });
    expect(await within(sessions).findByText("Sessions 1–20 of 45")).toBeInTheDocument();
    expect(within(sessions).getAllByRole("row")).toHaveLength(21); // the header and 20 sessions
    expect(within(sessions).getByLabelText("Pages of sessions")).toBeInTheDocument();
    expect(within(sessions).getByText("WBA5F3103MFX00045")).toBeInTheDocument();
    expect(within(sessions).queryByText("WBA5F3103MFX00025")).not.toBeInTheDocument();

    await userEvent.click(within(sessions).getByRole("button", { name: "Page 3" }));
    expect(await within(sessions).findByText("Sessions 41–45 of 45")).toBeInTheDocument();
    expect(within(sessions).getAllByRole("row")).toHaveLength(6);
    expect(within(sessions).getByText("WBA5F3103MFX00001")).toBeInTheDocument();
    expect(within(sessions).getByRole("button", { name: "Next page" })).toBeDisabled();
    expect(sessionRequests(requests).map((query) => query.offset)).toEqual(["0", "40"]);
    expect(new Set(sessionRequests(requests).map((query) => query.limit))).toEqual(new Set(["20"]));
  });

  it("opens on the page kept in the URL, so coming back from a report keeps the place", async () => {
    const { requests } = renderWithApp(page(), { route: "/programming?sessions_page=2", handler: gateway({ override: sessionPages(45) }) });
    expect(await screen.findByText("Sessions 21–40 of 45")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Page 2" })).toHaveAttribute("aria-current", "page");
    expect(sessionRequests(requests).map((query) => query.offset)).toEqual(["20"]);
  });

  it("offers the newest sessions when the URL asks for a page past the end", async () => {
    renderWithApp(page(), { route: "/programming?sessions_page=9", handler: gateway({ override: sessionPages(45) }) });
    expect(await screen.findByText(/There is no page 9 of sessions/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Go to the newest sessions" }));
    expect(await screen.findByText("Sessions 1–20 of 45")).toBeInTheDocument();
  });
});

describe("ProgrammingPage", () => {
  beforeEach(() => storeTokens(TOKENS));
  afterEach(clearTokens);

  it("shows a pairing code with the command to run on the workshop PC", async () => {
    renderWithApp(page(), { route: "/programming", handler: gateway({ agents: [] }) });
    expect(await screen.findByText(/No agent is paired yet/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Pair an agent" }));
    expect(await screen.findByTestId("pairing-code")).toHaveTextContent("ABCD-EFGH");
    expect(screen.getByText(`aos-vci-agent pair --server ${window.location.origin} --code ABCD-EFGH`)).toBeInTheDocument();
    // A PC without the agent yet: the card links to the setup guide of the downloads area.
    expect(screen.getByRole("link", { name: "How to set up the workshop PC" })).toHaveAttribute("href", "/downloads/setup");
  });

  it("offers a technician the paired agents, but pairing and revoking only to the owner and admins", async () => {
    renderWithApp(page(), {
      route: "/programming",
      handler: gateway({ agents: [AGENT], override: (_request, path) => (path === "/api/identity/me" ? json(me("technician")) : undefined) }),
    });
    expect(await screen.findByText("The owner or an admin of your workshop pairs new agents.")).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: `Read vehicle: ${AGENT.name}` })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Pair an agent" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: `Revoke: ${AGENT.name}` })).not.toBeInTheDocument();
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

  it("offers just this car for the connected vehicle when there is no programming time", async () => {
    const { requests } = renderWithApp(page(), {
      route: "/programming",
      handler: gateway({ programmingSeconds: 0, override: (_request, path) => (path === "/api/billing/catalog/products" ? json({ items: CATALOG }) : undefined) }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Read vehicle: Bay 3 laptop" }));
    const offer = await screen.findByTestId("just-this-car-PROGRAMMING");
    expect(offer).toHaveTextContent(`24 hours of programming for this vehicle only: ${VEHICLE.vin}`);
    await userEvent.click(within(offer).getByRole("button", { name: "24 h for this car, €23.80" }));
    expect(storedCart()).toEqual([{ product_code: PROGRAMMING_VIN.code, quantity: 1, vin: VEHICLE.vin }]);
    expect(requests.some((r) => new URL(r.url).pathname === "/api/billing/catalog/products")).toBe(true);
    window.localStorage.clear();
  });

  it("offers no single-car pass when the organisation has programming time, or a pass for this car", async () => {
    const vinPassSummary = {
      as_of: new Date().toISOString(),
      scopes: [{ scope: "PROGRAMMING", active: false, valid_until: null, seconds_left: 0, windows: [] }],
      vin_passes: [{ scope: "PROGRAMMING", vin: VEHICLE.vin, valid_until: new Date(Date.now() + 3_600_000).toISOString() }],
    };
    const cases: [Parameters<typeof renderWithApp>[1], () => Promise<unknown>][] = [
      [
        { route: "/programming", handler: gateway({ override: (_request, path) => (path === "/api/billing/catalog/products" ? json({ items: CATALOG }) : undefined) }) },
        () => screen.findByRole("timer"),
      ],
      [
        {
          route: "/programming",
          handler: gateway({
            override: (_request, path) =>
              path === "/api/billing/catalog/products" ? json({ items: CATALOG }) : path === "/api/billing/entitlements/summary" ? json(vinPassSummary) : undefined,
          }),
        },
        () => screen.findByText("You have no programming time. Buy a programming pass to plan and run sessions."),
      ],
    ];
    for (const [options, summaryShown] of cases) {
      const view = renderWithApp(page(), options);
      await userEvent.click(await screen.findByRole("button", { name: "Read vehicle: Bay 3 laptop" }));
      await screen.findByTestId("vehicle-vin");
      // The programming time shown proves the summary is in, for the offer too (same query).
      await summaryShown();
      expect(screen.queryByTestId("just-this-car-PROGRAMMING")).toBeNull();
      view.unmount();
    }
  });

  it("shows why planning was refused, translated by the problem's code", async () => {
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
    const alert = (await screen.findByText("Buy a programming pass, then try again.")).closest("[role=alert]");
    expect(alert).toHaveTextContent("Programming time is needed");
    expect(alert).not.toHaveTextContent("PROGRAMMING_1H");
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
