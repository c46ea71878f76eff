import { AppShell, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { lazy } from "react";
import { useTranslation } from "react-i18next";
import { Route, Routes } from "react-router";
import { AirSearchPage } from "../features/air";
import { AccountPage, ConfirmEmailChangePage, ForgotPasswordPage, ResetPasswordPage, TotpResetPage } from "../features/account";
import { AcceptInvitationPage, LoginPage, RegisterPage, TotpEnrolmentPage, VerifyEmailPage } from "../features/auth";
import { CompanyPage } from "../features/company";
import { MembersPage } from "../features/members";
import { ExpiryBanner, PassesPage } from "../features/passes";
import { CheckoutPage, ShopPage } from "../features/shop";
import { Home } from "./Home";
import { Header, LogoutButton } from "./layout/Header";
import { NavLinks } from "./layout/NavLinks";
import { RequireAuth } from "./RequireAuth";

// Screens that bring their own libraries (Markdown, live sessions) load when first opened, and
// so do the vehicle page, the order history and the usage report (the shop is in the first bundle anyway: passes,
// AIR and programming offer its per-VIN passes).
const DocumentPage = lazy(() => import("../features/air/routes/DocumentPage").then((m) => ({ default: m.DocumentPage })));
const ProgrammingPage = lazy(() => import("../features/programming/routes/ProgrammingPage").then((m) => ({ default: m.ProgrammingPage })));
const OrdersPage = lazy(() => import("../features/orders").then((m) => ({ default: m.OrdersPage })));
const UsagePage = lazy(() => import("../features/usage").then((m) => ({ default: m.UsagePage })));
const VehiclePage = lazy(() => import("../features/vehicle/routes/VehiclePage").then((m) => ({ default: m.VehiclePage })));
const DownloadsPage = lazy(() => import("../features/downloads/routes/DownloadsPage").then((m) => ({ default: m.DownloadsPage })));
const SessionPage = lazy(() => import("../features/programming/routes/SessionPage").then((m) => ({ default: m.SessionPage })));

export function App() {
  const { t } = useTranslation();
  const [menuOpen, menu] = useDisclosure(false);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 260, breakpoint: "lg", collapsed: { mobile: !menuOpen, desktop: true } }} padding="md">
      <AppShell.Header>
        <Header menuOpen={menuOpen} toggleMenu={menu.toggle} />
      </AppShell.Header>
      <AppShell.Navbar p="md" id="main-menu" aria-label={t("nav.menu")} withBorder={false}>
        {/* Rendered only while open, so that its links are not a second copy of the header's. */}
        {menuOpen && (
          <Stack gap="md">
            <NavLinks onNavigate={menu.close} />
            <LogoutButton onDone={menu.close} />
          </Stack>
        )}
      </AppShell.Navbar>
      <AppShell.Main>
        <ExpiryBanner />
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/login" element={<LoginPage />} />
          <Route path="/register" element={<RegisterPage />} />
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route path="/totp-enrolment" element={<TotpEnrolmentPage />} />
          <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/totp-reset" element={<TotpResetPage />} />
          <Route path="/confirm-email-change" element={<ConfirmEmailChangePage />} />
          <Route
            path="/members"
            element={
              <RequireAuth area="members">
                <MembersPage />
              </RequireAuth>
            }
          />
          <Route
            path="/company"
            element={
              <RequireAuth>
                <CompanyPage />
              </RequireAuth>
            }
          />
          <Route
            path="/account"
            element={
              <RequireAuth>
                <AccountPage />
              </RequireAuth>
            }
          />
          <Route
            path="/passes"
            element={
              <RequireAuth area="passes">
                <PassesPage />
              </RequireAuth>
            }
          />
          <Route
            path="/shop"
            element={
              <RequireAuth area="buy">
                <ShopPage />
              </RequireAuth>
            }
          />
          <Route
            path="/checkout"
            element={
              <RequireAuth area="buy">
                <CheckoutPage />
              </RequireAuth>
            }
          />
          <Route
            path="/orders"
            element={
              <RequireAuth area="orders">
                <OrdersPage />
              </RequireAuth>
            }
          />
          <Route
            path="/usage"
            element={
              <RequireAuth area="usage">
                <UsagePage />
              </RequireAuth>
            }
          />
          <Route
            path="/air"
            element={
              <RequireAuth area="air">
                <AirSearchPage />
              </RequireAuth>
            }
          />
          <Route
            path="/air/documents/:documentId"
            element={
              <RequireAuth area="air">
                <DocumentPage />
              </RequireAuth>
            }
          />
          <Route
            path="/vehicles/:vin"
            element={
              <RequireAuth area="air">
                <VehiclePage />
              </RequireAuth>
            }
          />
          <Route
            path="/programming"
            element={
              <RequireAuth area="programming">
                <ProgrammingPage />
              </RequireAuth>
            }
          />
          <Route
            path="/programming/sessions/:sessionId"
            element={
              <RequireAuth area="programming">
                <SessionPage />
              </RequireAuth>
            }
          />
          <Route
            path="/downloads"
            element={
              <RequireAuth area="programming">
                <DownloadsPage />
              </RequireAuth>
            }
          />
          <Route
            path="/downloads/requirements"
            element={
              <RequireAuth area="programming">
                <DownloadsPage />
              </RequireAuth>
            }
          />
          <Route
            path="/downloads/setup"
            element={
              <RequireAuth area="programming">
                <DownloadsPage />
              </RequireAuth>
            }
          />
          <Route path="*" element={<Text>{t("notFound")}</Text>} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
