import { Center, Loader } from "@mantine/core";
import { type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation } from "react-router";
import { useAuth } from "../features/auth";

/** A private page: the login for a visitor, a loader while the session is restored or the
 * page's code loads. */
export function RequireAuth({ children }: { children: ReactNode }) {
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
