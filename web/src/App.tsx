import { Anchor, AppShell, Button, Center, Group, Loader, SegmentedControl, Text, Title } from "@mantine/core";
import { lazy, type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Route, Routes } from "react-router";
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
  if (status === "restoring") {
    return (
      <Center>
        <Loader aria-label={t("app.loading")} />
      </Center>
    );
  }
  if (status !== "signed-in") return <Navigate to="/login" replace />;
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

function Header() {
  const { t, i18n } = useTranslation();
  const auth = useAuth();
  return (
    <Group h="100%" px="md" justify="space-between" component="nav" aria-label="main">
      <Group>
        <Anchor component={Link} to="/" underline="never">
          <Title order={2} size="h4">
            {t("app.name")}
          </Title>
        </Anchor>
        {auth.status === "signed-in" && (
          <>
            <Anchor component={Link} to="/passes">
              {t("nav.passes")}
            </Anchor>
            <Anchor component={Link} to="/air">
              {t("nav.air")}
            </Anchor>
            <Anchor component={Link} to="/programming">
              {t("nav.programming")}
            </Anchor>
          </>
        )}
      </Group>
      <Group>
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
        {auth.status === "signed-in" ? (
          <Button variant="default" size="xs" onClick={() => void auth.signOut()}>
            {t("nav.logout")}
          </Button>
        ) : (
          <>
            <Anchor component={Link} to="/login">
              {t("nav.login")}
            </Anchor>
            <Anchor component={Link} to="/register">
              {t("nav.register")}
            </Anchor>
          </>
        )}
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
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Header />
      </AppShell.Header>
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
