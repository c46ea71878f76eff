import { Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import { useAuth } from "../features/auth";

/** The start page: a welcome for visitors; the signed-in go to their passes. */
export function Home() {
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
