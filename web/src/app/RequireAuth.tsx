import { Center, Loader } from "@mantine/core";
import { type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation } from "react-router";
import { ErrorMessage } from "../components/ErrorMessage";
import { type Area, RoleForbidden, useAuth, useRole } from "../features/auth";

function Loading() {
  const { t } = useTranslation();
  return (
    <Center>
      <Loader aria-label={t("app.loading")} />
    </Center>
  );
}

/**
 * A private page: the login for a visitor, a loader while the session is restored or the
 * page's code loads. With `area`, only for a role that may use it: any other role is told
 * why not and whom to ask (RoleForbidden), and a failed look-up of the role (e.g. 401
 * token-revoked) is shown as the problem it is.
 */
export function RequireAuth({ area, children }: { area?: Area; children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") return <Loading />;
  // The login page sends the user back here afterwards (a deep link survives the login).
  if (status !== "signed-in") return <Navigate to="/login" replace state={{ from: location }} />;
  return (
    <Suspense fallback={<Loading />}>{area === undefined ? children : <RequireRole area={area}>{children}</RequireRole>}</Suspense>
  );
}

function RequireRole({ area, children }: { area: Area; children: ReactNode }) {
  const { pending, error, may } = useRole();
  if (error !== null) return <ErrorMessage error={error} />;
  if (pending) return <Loading />;
  if (!may(area)) return <RoleForbidden area={area} />;
  return children;
}
