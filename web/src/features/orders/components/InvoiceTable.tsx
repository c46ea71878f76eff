import { SegmentedControl, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../lib/datetime";
import { formatMoney } from "../../../lib/money";
import type { InvoiceKind } from "../../shop";
import type { InvoiceSummary } from "../api/types";
import { InvoiceButton } from "./InvoiceButton";

export type KindFilter = InvoiceKind | "all";

/** Invoices and credit notes, filtered by kind, each with its PDF. */
export function InvoiceTable({
  items,
  kind,
  onKind,
  downloading,
  onDownload,
}: {
  items: InvoiceSummary[] | undefined;
  kind: KindFilter;
  onKind: (kind: KindFilter) => void;
  downloading: string | null;
  onDownload: (invoice: InvoiceSummary) => void;
}) {
  const { t, i18n } = useTranslation();
  const col = { number: t("orders.invoices.number"), kind: t("orders.invoices.kind"), date: t("orders.invoices.date"), net: t("orders.invoices.net"), gross: t("orders.invoices.gross") };
  return (
    <Stack>
      <SegmentedControl
        aria-label={t("orders.invoices.filter")}
        value={kind}
        onChange={(value) => onKind(value as KindFilter)}
        data={[
          { value: "all", label: t("orders.invoices.all") },
          { value: "invoice", label: t("orders.kindsPlural.invoice") },
          { value: "credit_note", label: t("orders.kindsPlural.credit_note") },
        ]}
        style={{ alignSelf: "start" }}
      />
      {items !== undefined && items.length === 0 && <Text>{t("orders.invoices.none")}</Text>}
      {items !== undefined && items.length > 0 && (
        <Table className="aos-stack" aria-label={t("orders.invoices.title")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{col.number}</Table.Th>
              <Table.Th scope="col">{col.kind}</Table.Th>
              <Table.Th scope="col">{col.date}</Table.Th>
              <Table.Th scope="col" ta="right">
                {col.net}
              </Table.Th>
              <Table.Th scope="col" ta="right">
                {col.gross}
              </Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>{t("orders.invoices.download")}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((invoice) => (
              <Table.Tr key={invoice.id} data-testid="invoice">
                <Table.Td data-label={col.number} ff="monospace">
                  {invoice.number}
                </Table.Td>
                <Table.Td data-label={col.kind}>{t(`orders.kinds.${invoice.kind}`)}</Table.Td>
                <Table.Td data-label={col.date}>{formatDateTime(invoice.issued_at, i18n.language)}</Table.Td>
                <Table.Td data-label={col.net} ta="right">
                  {formatMoney(invoice.net_minor, invoice.currency, i18n.language)}
                </Table.Td>
                <Table.Td data-label={col.gross} ta="right">
                  {formatMoney(invoice.gross_minor, invoice.currency, i18n.language)}
                </Table.Td>
                <Table.Td>
                  <InvoiceButton invoice={invoice} loading={downloading === invoice.id} onDownload={() => onDownload(invoice)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
