import { Anchor, AppShell, Burger, Button, Center, Group, Loader, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { lazy, type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth/AuthProvider";
import { type Language, setLanguage } from "./i18n";
import { AirSearchPage } from "./pages/AirSearchPage";
import { LoginPage } from "./pages/LoginPage";
import { PassesPage } from "./pages/PassesPage";
import { RegisterPage } from "./pages/RegisterPage";
import { TotpEnrolmentPage } from "./pages/TotpEnrolmentPage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";

// Screens that bring their own libraries (Markdown, live sessions) load when first opened.
const DocumentPage = lazy(() => import("./pages/DocumentPage").then((m) => ({ default: m.DocumentPage })));
const ProgrammingPage = lazy(() => import("./pages/ProgrammingPage").then((m) => ({ default: m.ProgrammingPage })));
const SessionPage = lazy(() => import("./pages/SessionPage").then((m) => ({ default: m.SessionPage })));

function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") {
    return (
      <Center>
        <Loader aria-label={t("app.loading")} />
      </Center>
    );
  }
  // The login page sends the user back here afterwards (a deep link survives the login).
  if (status !== "signed-in") return <Navigate to="/login" replace state={{ from: location }} />;
  return (
    <Suspense
      fallback={
        <Center>
          <Loader aria-label={t("app.loading")} />
        </Center>
      }
    >
      {children}
    </Suspense>
  );
}

/** The pages of the main navigation, for the header (wide screens) and the menu (phones). */
function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const auth = useAuth();
  if (auth.status === "signed-in") {
    return (
      <>
        <Anchor component={Link} to="/passes" onClick={onNavigate}>
          {t("nav.passes")}
        </Anchor>
        <Anchor component={Link} to="/air" onClick={onNavigate}>
          {t("nav.air")}
        </Anchor>
        <Anchor component={Link} to="/programming" onClick={onNavigate}>
          {t("nav.programming")}
        </Anchor>
      </>
    );
  }
  return (
    <>
      <Anchor component={Link} to="/login" onClick={onNavigate}>
        {t("nav.login")}
      </Anchor>
      <Anchor component={Link} to="/register" onClick={onNavigate}>
        {t("nav.register")}
      </Anchor>
    </>
  );
}

function LogoutButton({ onDone }: { onDone?: () => void }) {
  const { t } = useTranslation();
  const auth = useAuth();
  if (auth.status !== "signed-in") return null;
  return (
    <Button
      variant="default"
      size="xs"
      onClick={() => {
        onDone?.();
        void auth.signOut();
      }}
    >
      {t("nav.logout")}
    </Button>
  );
}

/**
 * The header keeps to one line at any width, so it never covers the page: on phones the links
 * move into a menu behind the burger button.
 */
function Header({ menuOpen, toggleMenu }: { menuOpen: boolean; toggleMenu: () => void }) {
  const { t, i18n } = useTranslation();
  const auth = useAuth();
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap" component="nav" aria-label="main">
      <Group wrap="nowrap" gap="sm">
        <Burger opened={menuOpen} onClick={toggleMenu} hiddenFrom="sm" size="sm" aria-label={t("nav.menu")} aria-expanded={menuOpen} aria-controls="main-menu" />
        <Anchor component={Link} to="/" underline="never">
          <Title order={2} size="h4">
            {t("app.name")}
          </Title>
        </Anchor>
        {auth.status === "signed-in" && (
          <Group visibleFrom="sm" wrap="nowrap">
            <NavLinks />
          </Group>
        )}
      </Group>
      <Group wrap="nowrap" gap="sm">
        <SegmentedControl
          aria-label={t("app.language")}
          size="xs"
          value={i18n.language}
          onChange={(value) => setLanguage(value as Language)}
          data={[
            { value: "en", label: "EN" },
            { value: "de", label: "DE" },
          ]}
        />
        <Group visibleFrom="sm" wrap="nowrap">
          {auth.status === "signed-in" ? <LogoutButton /> : <NavLinks />}
        </Group>
      </Group>
    </Group>
  );
}

function Home() {
  const { t } = useTranslation();
  const { status } = useAuth();
  if (status === "signed-in") return <Navigate to="/passes" replace />;
  return (
    <>
      <Title order={1}>{t("home.welcome")}</Title>
      <Text mt="sm">{t("home.intro")}</Text>
    </>
  );
}

export function App() {
  const { t } = useTranslation();
  const [menuOpen, menu] = useDisclosure(false);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 260, breakpoint: "sm", collapsed: { mobile: !menuOpen, desktop: true } }} padding="md">
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
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/login" element={<LoginPage />} />
          <Route path="/register" element={<RegisterPage />} />
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route path="/totp-enrolment" element={<TotpEnrolmentPage />} />
          <Route
            path="/passes"
            element={
              <RequireAuth>
                <PassesPage />
              </RequireAuth>
            }
          />
          <Route
            path="/air"
            element={
              <RequireAuth>
                <AirSearchPage />
              </RequireAuth>
            }
          />
          <Route
            path="/air/documents/:documentId"
            element={
              <RequireAuth>
                <DocumentPage />
              </RequireAuth>
            }
          />
          <Route
            path="/programming"
            element={
              <RequireAuth>
                <ProgrammingPage />
              </RequireAuth>
            }
          />
          <Route
            path="/programming/sessions/:sessionId"
            element={
              <RequireAuth>
                <SessionPage />
              </RequireAuth>
            }
          />
          <Route path="*" element={<Text>{t("notFound")}</Text>} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
