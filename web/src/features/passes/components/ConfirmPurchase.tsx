import { Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../lib/api/client";
import { formatDateTime } from "../../../lib/datetime";
import { formatMoney } from "../../../lib/money";
import { useDuration } from "../hooks/useDuration";
import { passWouldRunUntil } from "../window";

type Product = Schemas["ProductRead"];

/**
 * What a purchase will be, shown before anything is bought: product, net, VAT, gross and until
 * when the scope's access will then run. Only the confirm button buys; Enter and Escape act on
 * the focused "Cancel" (focused first), so no key press alone can buy.
 */
export function ConfirmPurchase({
  product,
  chainEnd,
  now,
  onConfirm,
  onCancel,
}: {
  product: Product | null;
  chainEnd: string | null;
  /** When the dialog was opened (ms since the epoch). */
  now: number;
  onConfirm: (product: Product) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const duration = useDuration();
  const money = (minor: number) => formatMoney(minor, product?.price.currency ?? "EUR", i18n.language);
  const until = product ? passWouldRunUntil({ chainEnd, durationSeconds: product.duration_seconds ?? 0, now }) : null;
  return (
    <Modal opened={product !== null} onClose={onCancel} title={t("passes.confirm.title")} centered>
      {product && until && (
        <Stack>
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.product")}</Table.Th>
                <Table.Td>
                  {product.name} ({duration(product.duration_seconds ?? 0)})
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.confirm.net")}</Table.Th>
                <Table.Td ta="right">{money(product.price.net_minor)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.confirm.vat", { rate: product.price.vat_rate_bp / 100 })}</Table.Th>
                <Table.Td ta="right">{money(product.price.vat_minor)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t("passes.confirm.gross")}</Table.Th>
                <Table.Td ta="right" fw={700}>
                  {money(product.price.gross_minor)}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Text data-testid="purchase-window">
            {t("passes.confirm.window", { scope: t(`passes.scopeNames.${product.scope}`), end: formatDateTime(until, i18n.language) })}
          </Text>
          {chainEnd !== null && <Text size="sm">{t("passes.confirm.queued", { start: formatDateTime(chainEnd, i18n.language) })}</Text>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} data-autofocus>
              {t("passes.confirm.cancel")}
            </Button>
            <Button onClick={() => onConfirm(product)}>{t("passes.confirm.buy", { price: money(product.price.gross_minor) })}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
