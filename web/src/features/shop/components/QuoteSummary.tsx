import { Alert, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../lib/datetime";
import { formatMoney } from "../../../lib/money";
import type { Quote } from "../api/types";
import { formatRate } from "../format";

/**
 * What the order will be, as billing quoted it: each line (a per-VIN pass with its VIN, a pass
 * with the window it will give), shipping, net, VAT per rate, gross, and the tax note (reverse
 * charge, not taxable in the EU) the invoice will carry.
 */
export function QuoteSummary({ quote }: { quote: Quote }) {
  const { t, i18n } = useTranslation();
  const currency = quote.totals.currency;
  const money = (minor: number) => formatMoney(minor, currency, i18n.language);
  const rate = (bp: number) => formatRate(bp, i18n.language);
  const at = (moment: string) => formatDateTime(moment, i18n.language);
  const col = {
    product: t("checkout.columns.product"),
    quantity: t("checkout.columns.quantity"),
    unit: t("checkout.columns.unit"),
    net: t("checkout.columns.net"),
    vat: t("checkout.columns.vat"),
    gross: t("checkout.columns.gross"),
  };
  return (
    <Stack gap="sm">
      <Table className="aos-stack" aria-label={t("checkout.summary")}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{col.product}</Table.Th>
            <Table.Th scope="col" ta="right">
              {col.quantity}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              {col.unit}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              {col.net}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              {col.vat}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              {col.gross}
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {quote.lines.map((line) => (
            <Table.Tr key={`${line.product_code}|${line.vin ?? ""}`} data-testid="quote-line">
              <Table.Td data-label={col.product}>
                <Text fw={600}>{line.name}</Text>
                {line.vin !== null && (
                  <Text size="sm">
                    {t("checkout.forVin")}{" "}
                    <Text span ff="monospace">
                      {line.vin}
                    </Text>
                  </Text>
                )}
                {line.window !== null && (
                  <Text size="sm" data-testid="quote-window">
                    {t("checkout.window", { from: at(line.window.valid_from), until: at(line.window.valid_until) })}
                  </Text>
                )}
              </Table.Td>
              <Table.Td data-label={col.quantity} ta="right">
                {line.quantity}
              </Table.Td>
              <Table.Td data-label={col.unit} ta="right">
                {money(line.unit_net_minor)}
              </Table.Td>
              <Table.Td data-label={col.net} ta="right">
                {money(line.net_minor)}
              </Table.Td>
              <Table.Td data-label={col.vat} ta="right">
                {money(line.vat_minor)} ({rate(line.vat_rate_bp)} %)
              </Table.Td>
              <Table.Td data-label={col.gross} ta="right">
                {money(line.gross_minor)}
              </Table.Td>
            </Table.Tr>
          ))}
          {quote.shipping !== null && (
            <Table.Tr data-testid="quote-shipping">
              <Table.Td data-label={col.product}>{t("checkout.shipping")}</Table.Td>
              <Table.Td />
              <Table.Td />
              <Table.Td data-label={col.net} ta="right">
                {money(quote.shipping.net_minor)}
              </Table.Td>
              <Table.Td data-label={col.vat} ta="right">
                {money(quote.shipping.vat_minor)}
              </Table.Td>
              <Table.Td data-label={col.gross} ta="right">
                {money(quote.shipping.gross_minor)}
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      <Table withRowBorders={false} verticalSpacing={4} maw={420} ml="auto" aria-label={t("checkout.totals")}>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">{t("checkout.net")}</Table.Th>
            <Table.Td ta="right">{money(quote.totals.net_minor)}</Table.Td>
          </Table.Tr>
          {quote.vat_breakdown.map((row) => (
            <Table.Tr key={row.rate_bp}>
              <Table.Th scope="row">{t("checkout.vatAt", { rate: rate(row.rate_bp), net: money(row.net_minor) })}</Table.Th>
              <Table.Td ta="right">{money(row.vat_minor)}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th scope="row">{t("checkout.gross")}</Table.Th>
            <Table.Td ta="right" fw={700}>
              {money(quote.totals.gross_minor)}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {quote.tax.vat_id !== null && (
        <Text size="sm" data-testid="vat-id">
          {quote.tax.vat_id_status === null
            ? t("checkout.vatIdUnknown", { vatId: quote.tax.vat_id })
            : t("checkout.vatId", { vatId: quote.tax.vat_id, status: t(`checkout.vatIdStatus.${quote.tax.vat_id_status}`) })}
        </Text>
      )}
      {quote.tax.note !== null && quote.tax.note !== "" && (
        <Alert color="blue" variant="light" title={t("checkout.taxNote")} data-testid="tax-note">
          {quote.tax.note}
        </Alert>
      )}
    </Stack>
  );
}
