import { Anchor, Button, Checkbox, Loader, Stack, Text, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { formatMoney } from "../../../lib/money";
import { useQuote } from "../api/get-quote";
import type { Address, QuoteRequest } from "../api/types";
import { type CartLine, parseCart, serializeCart, toLineInputs } from "../cart";
import { OrderProgress } from "../components/OrderProgress";
import { QuoteSummary } from "../components/QuoteSummary";
import { ShippingAddressForm } from "../components/ShippingAddressForm";
import { useCart } from "../hooks/useCart";
import { type FollowOptions, useCheckout } from "../hooks/useCheckout";

/** Navigation state for buying some lines straight away (a pass from the passes page) without
 * touching the cart. */
export interface DirectCheckout {
  checkout: CartLine[];
}

function directLines(state: unknown): CartLine[] | null {
  if (typeof state !== "object" || state === null || !("checkout" in state)) return null;
  const lines = parseCart(serializeCart((state as DirectCheckout).checkout));
  return lines.length > 0 ? lines : null;
}

/**
 * The one checkout for passes and tools: billing's quote of the cart (asked again as the cart or
 * the address changes), the shipping address for tools, the terms, and an explicit "Buy now"
 * that places the order and follows it until paid. Nothing is bought before that button.
 */
export function CheckoutPage({ follow }: { follow?: FollowOptions }) {
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const direct = useMemo(() => directLines(location.state), [location.state]);
  const cart = useCart();
  const lines = direct ?? cart.lines;
  const [address, setAddress] = useState<Address | null>(null);
  const [quotedAddress] = useDebouncedValue(address, 400);
  const [acceptedTerms, setAcceptedTerms] = useState<string | null>(null);
  const request: QuoteRequest = useMemo(
    () => ({ lines: toLineInputs(lines), ...(quotedAddress !== null ? { shipping_address: quotedAddress } : {}) }),
    [lines, quotedAddress],
  );
  const quote = useQuote(request, { enabled: lines.length > 0 && (direct !== null || cart.ready) });
  const checkout = useCheckout({
    ...follow,
    // The cart became an order: it starts empty again (a direct buy never touched it).
    onPlaced: () => {
      if (direct === null) cart.clear();
    },
  });
  const { errorFor } = useFieldErrors(checkout.error);

  // Once billing took the order, the page follows it (the cart already became that order).
  if (checkout.placed !== null) {
    return (
      <Stack maw={960}>
        <Title order={1} size="h2">
          {t("checkout.title")}
        </Title>
        {checkout.error !== null && !checkout.pending && <ErrorMessage error={checkout.error} />}
        <OrderProgress pending={checkout.pending} order={checkout.placed} onPayAgain={checkout.payAgain} />
      </Stack>
    );
  }

  const data = quote.data;
  const shownAddress = address ?? data?.shipping_address ?? { name: "", street: "", postcode: "", city: "", country: "" };
  // What is shown is what is bought: no confirm while a newer quote is on its way.
  const current = data !== undefined && !quote.isFetching && !quote.isPlaceholderData && address === quotedAddress;
  const accepted = data !== undefined && acceptedTerms === data.terms.version;

  return (
    <Stack maw={960}>
      <Title order={1} size="h2">
        {t("checkout.title")}
      </Title>
      {lines.length === 0 && (
        <Text>
          {t("checkout.empty")}{" "}
          <Anchor component={Link} to="/shop">
            {t("checkout.toShop")}
          </Anchor>
        </Text>
      )}
      {lines.length > 0 && quote.isPending && <Loader aria-label={t("app.loading")} />}
      {quote.isError && <ErrorMessage error={quote.error} />}
      {direct === null && lines.length > 0 && (
        <Anchor component={Link} to="/shop" style={{ alignSelf: "start" }}>
          {t("checkout.changeCart")}
        </Anchor>
      )}
      {data !== undefined && lines.length > 0 && (
        <>
          <QuoteSummary quote={data} />
          {data.requires_shipping && <ShippingAddressForm address={shownAddress} onChange={setAddress} errors={errorFor} />}
          <Checkbox
            checked={accepted}
            onChange={(event) => setAcceptedTerms(event.currentTarget.checked ? data.terms.version : null)}
            label={
              <>
                {t("checkout.terms.accept", { version: data.terms.version })}{" "}
                <Anchor href={data.terms.url} target="_blank" rel="noopener noreferrer">
                  {t("checkout.terms.read")}
                </Anchor>
              </>
            }
          />
          {checkout.error !== null && !checkout.pending && <ErrorMessage error={checkout.error} fields={data.requires_shipping ? ["shipping_address.name", "shipping_address.street", "shipping_address.postcode", "shipping_address.city", "shipping_address.country"] : []} />}
          <Button
            style={{ alignSelf: "start" }}
            disabled={!accepted || !current}
            loading={checkout.pending}
            onClick={() =>
              checkout.confirm({
                lines: request.lines,
                ...(data.requires_shipping ? { shipping_address: shownAddress } : {}),
                accept_terms: true,
                terms_version: data.terms.version,
              })
            }
          >
            {t("checkout.buy", { gross: formatMoney(data.totals.gross_minor, data.totals.currency, i18n.language) })}
          </Button>
          {!accepted && <Text size="sm">{t("checkout.terms.needed")}</Text>}
        </>
      )}
    </Stack>
  );
}
