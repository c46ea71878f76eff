import { Center, Loader } from "@mantine/core";
import { type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import { useAuth } from "../features/auth";

/** A private page: the login for a visitor, a loader while the session is restored or the
 * page's code loads. */
export function RequireAuth({ children }: { children: ReactNode }) {
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
