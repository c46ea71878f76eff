import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import i18n from "../../../lib/i18n";
import { seriousViolations } from "../../../test/axe";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { platformLabel } from "../components/AgentBuilds";
import { DownloadsPage } from "./DownloadsPage";

const WINDOWS: Schemas["AgentBuildRead"] = {
  id: "00000000-0000-4000-8000-0000000000b1",
  version: "0.2.0",
  platform: "windows-x86_64",
  file_name: "aos-vci-agent-0.2.0-windows-x86_64.exe",
  size: 23_400_000,
  sha256: "9f".repeat(32),
  signature: "c2lnbmF0dXJl".repeat(7),
  url: "http://portal.example/api/programming/agent-builds/00000000-0000-4000-8000-0000000000b1/file",
  created_at: "2026-12-01T10:00:00Z",
};

function page() {
  return (
    <Routes>
      {["/downloads", "/downloads/requirements", "/downloads/setup", "/programming"].map((path) => (
        <Route key={path} path={path} element={path === "/programming" ? <p>programming page</p> : <DownloadsPage />} />
      ))}
    </Routes>
  );
}

const gateway = (items: Schemas["AgentBuildRead"][]) =>
  memberGateway("technician", (request) => (new URL(request.url).pathname === "/api/programming/agent-builds" ? json({ items }) : json({ title: "Not found", status: 404 }, 404)));

describe("DownloadsPage", { timeout: 20_000 }, () => {
  afterEach(async () => {
    clearTokens();
    await i18n.changeLanguage("en");
  });

  it("lists each agent build with its download, SHA-256 and signature", async () => {
    storeTokens(TOKENS);
    const { container } = renderWithApp(page(), { handler: gateway([WINDOWS]), route: "/downloads" });
    const card = await screen.findByTestId("agent-build");
    expect(within(card).getByRole("heading", { name: "Version 0.2.0 for Windows (x86-64)" })).toBeInTheDocument();
    const download = within(card).getByRole("link", { name: "Download (23.4 MB)" });
    expect(download).toHaveAttribute("href", WINDOWS.url);
    expect(download).toHaveAttribute("download", WINDOWS.file_name);
    expect(within(card).getByTestId("agent-build-sha256")).toHaveTextContent(WINDOWS.sha256);
    expect(within(card).getByTestId("agent-build-signature")).toHaveTextContent(WINDOWS.signature);
    expect(await seriousViolations(container)).toEqual([]);
  });

  it("says so when no build is published", async () => {
    storeTokens(TOKENS);
    renderWithApp(page(), { handler: gateway([]), route: "/downloads" });
    expect(await screen.findByText(/No agent build has been published yet/)).toBeInTheDocument();
  });

  it("shows the system requirements and the setup guide at their own addresses, in German too", async () => {
    storeTokens(TOKENS);
    await i18n.changeLanguage("de");
    renderWithApp(page(), { handler: gateway([WINDOWS]), route: "/downloads/requirements" });
    expect(await screen.findByTestId("requirements-os")).toHaveTextContent("Windows 10 oder 11, 64 Bit");
    expect(screen.getByTestId("requirements-vci")).toHaveTextContent("SAE-J2534-Pass-Thru-Gerät (J2534-1 Version 04.04");
    expect(screen.getByTestId("requirements-vci")).toHaveTextContent("64-Bit-DLL");
    expect(screen.getByTestId("requirements-charger")).toHaveTextContent("12,5 V");

    await userEvent.click(screen.getByRole("tab", { name: "Einrichtung" }));
    expect(await screen.findByTestId("setup-pair")).toHaveTextContent("Kopplungscode");
    expect(screen.getByTestId("setup-charger")).toHaveTextContent("Ladegerät");
    await userEvent.click(screen.getByRole("link", { name: "Zur Programmierung" }));
    expect(await screen.findByText("programming page")).toBeInTheDocument();
  });

  it("names platforms for people", () => {
    expect(platformLabel("linux-x86_64")).toBe("Linux (x86-64)");
    expect(platformLabel("macos-arm64")).toBe("macOS (ARM64)");
    expect(platformLabel("plan9-mips")).toBe("plan9-mips");
  });
});
