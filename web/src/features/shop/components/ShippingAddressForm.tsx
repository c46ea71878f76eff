import { NativeSelect, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useCountryOptions } from "../../auth";
import type { Address } from "../api/types";

const FIELDS = ["name", "street", "postcode", "city"] as const;

/** Where the tools go: the company address billing proposes, which the buyer may change. */
export function ShippingAddressForm({ address, onChange, errors }: { address: Address; onChange: (address: Address) => void; errors: (field: string) => string | undefined }) {
  const { t, i18n } = useTranslation();
  const countries = useCountryOptions(i18n.language, { choose: t("register.countryChoose"), nearby: t("register.countriesNearby"), others: t("register.countriesOthers") });
  const autoComplete: Record<(typeof FIELDS)[number], string> = { name: "organization", street: "street-address", postcode: "postal-code", city: "address-level2" };
  return (
    <Stack gap="xs" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Title order={2} size="h4" component="legend">
        {t("checkout.address.title")}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {FIELDS.map((field) => (
          <TextInput
            key={field}
            label={t(`checkout.address.${field}`)}
            required
            autoComplete={`shipping ${autoComplete[field]}`}
            value={address[field]}
            error={errors(`shipping_address.${field}`)}
            onChange={(event) => onChange({ ...address, [field]: event.currentTarget.value })}
          />
        ))}
        <NativeSelect
          label={t("checkout.address.country")}
          required
          autoComplete="shipping country"
          value={address.country}
          error={errors("shipping_address.country")}
          onChange={(event) => onChange({ ...address, country: event.currentTarget.value })}
        >
          {countries}
        </NativeSelect>
      </SimpleGrid>
    </Stack>
  );
}
