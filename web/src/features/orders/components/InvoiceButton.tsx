import { Button } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { InvoiceKind } from "../../shop";

/** Downloads one invoice or credit note as PDF. */
export function InvoiceButton({ invoice, loading, onDownload }: { invoice: { id: string; number: string; kind: InvoiceKind }; loading: boolean; onDownload: () => void }) {
  const { t } = useTranslation();
  return (
    <Button size="xs" variant="light" loading={loading} onClick={onDownload} aria-label={t("orders.pdfOf", { kind: t(`orders.kinds.${invoice.kind}`), number: invoice.number })}>
      {t("orders.pdf")}
    </Button>
  );
}
