import { Alert, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { ApiError } from "../../../lib/problem";
import { BuyPassLink } from "../../passes";

/** Whether an answer says the content needs an AIR pass (or the VIN's own). */
export function needsPass(error: unknown): boolean {
  return error instanceof ApiError && error.slug === "air-pass-required";
}

/** An error of a read that needs a pass: the way to buy one; any other error as it is. */
export function PassRequired({ error, what }: { error: unknown; what: string }) {
  const { t } = useTranslation();
  if (!needsPass(error)) return <ErrorMessage error={error} />;
  return (
    <Alert color="yellow" title={t("air.noPassTitle")} role="status">
      <Text size="sm" mb="xs">
        {t("vehicle.passNeeded", { what })}
      </Text>
      <BuyPassLink label={t("air.buyPass")} size="xs" quiet />
    </Alert>
  );
}
