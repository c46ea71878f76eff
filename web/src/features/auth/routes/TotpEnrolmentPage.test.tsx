import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useNavigate } from "react-router";
import { useEffect } from "react";
import { describe, expect, it } from "vitest";
import { json, renderWithApp } from "../../../test/render";
import { svgDataUrl } from "../../../lib/svg";
import { TotpEnrolmentPage } from "./TotpEnrolmentPage";

const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="1" height="1"/></svg>';

function From({ token }: { token: string }) {
  const navigate = useNavigate();
  useEffect(() => void navigate("/totp-enrolment", { state: { enrolmentToken: token } }), [navigate, token]);
  return null;
}

const app = (
  <Routes>
    <Route path="/" element={<From token="enrol-1" />} />
    <Route path="/totp-enrolment" element={<TotpEnrolmentPage />} />
  </Routes>
);

describe("TotpEnrolmentPage", () => {
  it("shows the server's QR code as an image, never as markup, and the secret", async () => {
    const { requests, container } = renderWithApp(app, {
      handler: () => json({ secret: "JBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/AOS", qr_svg: SVG }),
    });
    const image = await screen.findByRole("img", { name: "QR code for your authenticator app" });
    expect(image).toHaveAttribute("src", svgDataUrl(SVG));
    expect(image.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    expect(container.querySelector("svg script")).toBeNull();
    expect(screen.getByTestId("totp-secret")).toHaveTextContent("JBSWY3DPEHPK3PXP");
    expect(requests[0]!.headers.get("Authorization")).toBe("Bearer enrol-1");
  });

  it("shows the recovery codes after the code is confirmed", async () => {
    const { requests } = renderWithApp(app, {
      handler: (request) =>
        request.url.endsWith("/confirm")
          ? json({ totp_enabled: true, recovery_codes: ["aaaa-bbbb", "cccc-dddd"] })
          : json({ secret: "S", otpauth_uri: "otpauth://totp/AOS", qr_svg: SVG }),
    });
    await userEvent.type(await screen.findByLabelText(/Code from the app/), "123456{Enter}");
    expect(await screen.findByText("aaaa-bbbb")).toBeInTheDocument();
    expect(screen.getByText("cccc-dddd")).toBeInTheDocument();
    const confirm = requests.find((r) => r.url.endsWith("/confirm"))!;
    expect(await confirm.json()).toEqual({ code: "123456" });
  });

  it("explains that login comes first when opened without an enrolment token", () => {
    renderWithApp(<TotpEnrolmentPage />);
    expect(screen.getByText(/Log in first/)).toBeInTheDocument();
  });
});
