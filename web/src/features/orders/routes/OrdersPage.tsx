import { Alert, Button, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useRole } from "../../auth";
import type { OrderLine } from "../../shop";
import { useInvoices } from "../api/get-invoices";
import { useOrders } from "../api/get-orders";
import { InvoiceTable, type KindFilter } from "../components/InvoiceTable";
import { OrderCard } from "../components/OrderCard";
import { RefundDialog } from "../components/RefundDialog";
import { useInvoiceDownload } from "../hooks/useInvoiceDownload";
import { useRefund } from "../hooks/useRefund";

const PAGE = 20;

/**
 * Order history and the invoices: every order with its lines, shipment and invoices (PDF), the
 * refund of an unused pass (owner, admin), and all invoices and credit notes filtered by kind.
 * An accountant starts on the invoices.
 */
export function OrdersPage() {
  const { t } = useTranslation();
  const role = useRole();
  // Until the member picks a tab, it follows the role (which may still be on its way).
  const [chosenTab, setTab] = useState<string | null>(null);
  const tab = chosenTab ?? (role.role === "accountant" ? "invoices" : "orders");
  const [kind, setKind] = useState<KindFilter>("all");
  const orders = useOrders({ pageSize: PAGE });
  const invoices = useInvoices({ kind: kind === "all" ? null : kind, pageSize: PAGE });
  const orderList = orders.data?.pages.flatMap((page) => page.items);
  const invoiceList = invoices.data?.pages.flatMap((page) => page.items);
  const download = useInvoiceDownload();
  const refund = useRefund();
  const [refunding, setRefunding] = useState<OrderLine | null>(null);
  const downloading = download.isPending ? download.variables.id : null;

  return (
    <Stack maw={1100}>
      <Title order={1} size="h2">
        {t("orders.title")}
      </Title>
      {download.isError && <ErrorMessage error={download.error} />}
      {refund.isError && <ErrorMessage error={refund.error} />}
      {refund.isSuccess && (
        <Alert color="green" role="status">
          {refund.data.credit_note === null ? t("orders.refund.doneWithoutCreditNote") : t("orders.refund.done", { number: refund.data.credit_note.number })}
        </Alert>
      )}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="orders">{t("orders.tabs.orders")}</Tabs.Tab>
          <Tabs.Tab value="invoices">{t("orders.tabs.invoices")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="orders" pt="md">
          <Stack>
            {orders.isPending && <Loader aria-label={t("app.loading")} />}
            {orders.isError && <ErrorMessage error={orders.error} />}
            {orderList?.length === 0 && <Text>{t("orders.none")}</Text>}
            {orderList?.map((order) => (
              <OrderCard
                key={order.id}
                order={order}
                mayRefund={role.may("refund")}
                downloading={downloading}
                onDownload={(invoice) => download.mutate(invoice)}
                onRefund={setRefunding}
              />
            ))}
            {orders.hasNextPage && (
              <Button variant="default" style={{ alignSelf: "start" }} loading={orders.isFetchingNextPage} onClick={() => void orders.fetchNextPage()}>
                {t("orders.more")}
              </Button>
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="invoices" pt="md">
          <Stack>
            {invoices.isPending && <Loader aria-label={t("app.loading")} />}
            {invoices.isError && <ErrorMessage error={invoices.error} />}
            <InvoiceTable
              items={invoiceList}
              kind={kind}
              onKind={(next) => {
                setKind(next);
              }}
              downloading={downloading}
              onDownload={(invoice) => download.mutate(invoice)}
            />
            {invoices.hasNextPage && (
              <Button variant="default" style={{ alignSelf: "start" }} loading={invoices.isFetchingNextPage} onClick={() => void invoices.fetchNextPage()}>
                {t("orders.more")}
              </Button>
            )}
          </Stack>
        </Tabs.Panel>
      </Tabs>
      <RefundDialog
        line={refunding}
        onCancel={() => setRefunding(null)}
        onConfirm={(line) => {
          setRefunding(null);
          if (line.entitlement_id !== null) refund.mutate(line.entitlement_id);
        }}
      />
    </Stack>
  );
}
