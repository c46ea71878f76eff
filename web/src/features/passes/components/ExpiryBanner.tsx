import { Alert, Group, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../lib/datetime";
import { useAuth } from "../../auth";
import { useEntitlementSummary } from "../api/get-entitlement-summary";
import { expiringScopes } from "../expiry";
import { BuyPassLink } from "./BuyPassLink";

/** The time that passes while the page stays open, to the minute. */
function useMinute(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The app shell's warning that paid time is about to end (within 24 hours, nothing queued after
 * it), with the way to buy more. Every member sees it: a technician is told who buys.
 */
export function ExpiryBanner() {
  const { t, i18n } = useTranslation();
  const { status } = useAuth();
  const summary = useEntitlementSummary({ enabled: status === "signed-in" });
  const now = useMinute();
  const expiring = status === "signed-in" ? expiringScopes(summary.data, now) : [];
  if (expiring.length === 0) return null;
  return (
    <Alert color="yellow" role="status" title={t("expiry.title")} mb="md" data-testid="expiry-banner">
      <Stack gap="xs" align="start">
        {expiring.map(({ scope, validUntil }) => (
          <Text key={scope} size="sm">
            {t("expiry.text", { scope: t(`passes.scopes.${scope}`), end: formatDateTime(validUntil, i18n.language) })}
          </Text>
        ))}
        <Group>
          <BuyPassLink label={t("expiry.buy")} size="xs" />
        </Group>
      </Stack>
    </Alert>
  );
}
