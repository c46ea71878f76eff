import { Badge, Button, Card, Group, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../lib/datetime";
import { formatMoney } from "../../../lib/money";
import type { Order, OrderLine } from "../../shop";
import { InvoiceButton } from "./InvoiceButton";

const STATUS_COLOR: Record<Order["status"], string> = { pending_payment: "blue", paid: "green", failed: "red", expired: "gray" };

/** One order: status, lines, the shipment of its tools, and its invoices and credit notes. */
export function OrderCard({
  order,
  mayRefund,
  downloading,
  onDownload,
  onRefund,
}: {
  order: Order;
  mayRefund: boolean;
  downloading: string | null;
  onDownload: (invoice: { id: string; number: string }) => void;
  onRefund: (line: OrderLine) => void;
}) {
  const { t, i18n } = useTranslation();
  const money = (minor: number) => formatMoney(minor, order.totals.currency, i18n.language);
  const at = (moment: string) => formatDateTime(moment, i18n.language);
  const col = { product: t("orders.columns.product"), quantity: t("orders.columns.quantity"), gross: t("orders.columns.gross") };
  const { fulfilment } = order;
  return (
    <Card withBorder component="article" aria-label={t("orders.orderOf", { date: at(order.created_at) })} data-testid="order">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>{at(order.created_at)}</Text>
          <Group gap="xs">
            <Badge color={STATUS_COLOR[order.status]} variant="light">
              {t(`orders.status.${order.status}`)}
            </Badge>
            <Text fw={600}>{money(order.totals.gross_minor)}</Text>
          </Group>
        </Group>
        <Table className="aos-stack">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{col.product}</Table.Th>
              <Table.Th scope="col">{col.quantity}</Table.Th>
              <Table.Th scope="col" ta="right">
                {col.gross}
              </Table.Th>
              {mayRefund && (
                <Table.Th scope="col">
                  <VisuallyHidden>{t("orders.columns.actions")}</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.lines.map((line) => (
              <Table.Tr key={line.id} data-testid="order-line">
                <Table.Td data-label={col.product}>
                  {line.name}
                  {line.vin !== null && (
                    <Text size="sm" ff="monospace">
                      {line.vin}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-label={col.quantity}>{line.quantity}</Table.Td>
                <Table.Td data-label={col.gross} ta="right">
                  {money(line.gross_minor)}
                </Table.Td>
                {mayRefund && (
                  <Table.Td>
                    {line.refundable && line.entitlement_id !== null && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => onRefund(line)} aria-label={`${t("orders.refund.button")}: ${line.name}`}>
                        {t("orders.refund.button")}
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
            {order.shipping !== null && (
              <Table.Tr data-testid="order-shipping">
                <Table.Td data-label={col.product}>{t("checkout.shipping")}</Table.Td>
                <Table.Td />
                <Table.Td data-label={col.gross} ta="right">
                  {money(order.shipping.gross_minor)}
                </Table.Td>
                {mayRefund && <Table.Td />}
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
        {fulfilment.status !== "none" && (
          <Text size="sm" data-testid="fulfilment">
            {t(`orders.fulfilment.${fulfilment.status}`)}
            {fulfilment.tracking_number !== null && (
              <>
                {" · "}
                {t("orders.tracking", { carrier: fulfilment.carrier ?? "", number: fulfilment.tracking_number })}
              </>
            )}
            {fulfilment.delivered_at !== null ? ` · ${at(fulfilment.delivered_at)}` : fulfilment.shipped_at !== null ? ` · ${at(fulfilment.shipped_at)}` : ""}
          </Text>
        )}
        {order.invoices.length > 0 && (
          <Group gap="xs">
            {order.invoices.map((invoice) => (
              <Group key={invoice.id} gap={4}>
                <Text size="sm">
                  {t(`orders.kinds.${invoice.kind}`)} {invoice.number}
                </Text>
                <InvoiceButton invoice={invoice} loading={downloading === invoice.id} onDownload={() => onDownload(invoice)} />
              </Group>
            ))}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
