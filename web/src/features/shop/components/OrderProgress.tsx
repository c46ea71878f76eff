import { Alert, Anchor, Button, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Order } from "../api/types";

/** Where a placed order stands: waiting for the payment, paid, failed (try again) or expired. */
export function OrderProgress({ pending, order, onPayAgain }: { pending: boolean; order: Order; onPayAgain: (order: Order) => void }) {
  const { t } = useTranslation();
  if (pending) return <Text role="status">{t("checkout.paying")}</Text>;
  const toOrders = (
    <Anchor component={Link} to="/orders">
      {t("checkout.toOrders")}
    </Anchor>
  );
  switch (order.status) {
    case "paid":
      return (
        <Alert color="green" role="status" title={t("checkout.paid")}>
          <Stack gap={4} align="start">
            <Text>{t("checkout.paidText")}</Text>
            {toOrders}
          </Stack>
        </Alert>
      );
    case "failed":
      return (
        <Alert color="red" role="alert" title={t("checkout.failed")}>
          <Group>
            <Text>{t("checkout.failedText")}</Text>
            <Button size="xs" onClick={() => onPayAgain(order)}>
              {t("checkout.payAgain")}
            </Button>
          </Group>
        </Alert>
      );
    case "expired":
      return (
        <Alert color="yellow" role="alert" title={t("checkout.expired")}>
          {t("checkout.expiredText")}
        </Alert>
      );
    default:
      return (
        <Alert color="blue" role="status" title={t("checkout.stillPaying")}>
          {toOrders}
        </Alert>
      );
  }
}
