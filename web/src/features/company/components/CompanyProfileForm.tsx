import { Alert, Button, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import type { Schemas } from "../../../lib/api/client";
import { useFieldErrors } from "../../../lib/errorText";
import { useCountryOptions } from "../../auth";
import { useUpdateCompanyProfile } from "../api/update-company-profile";

type Profile = Schemas["CompanyProfileRead"];
type Field = "legal_name" | "street" | "postcode" | "city" | "country" | "vat_id" | "invoice_email";
const FIELDS: readonly Field[] = ["legal_name", "street", "postcode", "city", "country", "vat_id", "invoice_email"];
const LABELS: Record<Field, string> = {
  legal_name: "company.legalName",
  street: "company.street",
  postcode: "company.postcode",
  city: "company.city",
  country: "company.country",
  vat_id: "company.vatId",
  invoice_email: "company.invoiceEmail",
};

const asForm = (profile: Profile): Record<Field, string> =>
  Object.fromEntries(FIELDS.map((name) => [name, profile[name] ?? ""])) as Record<Field, string>;

/**
 * The company data; `editable` for owner and admin (everyone else reads). The server's field
 * errors (a VAT id that does not fit the country, …) appear at their fields.
 */
export function CompanyProfileForm({ profile, editable }: { profile: Profile; editable: boolean }) {
  const { t, i18n } = useTranslation();
  const update = useUpdateCompanyProfile();
  const { errorFor } = useFieldErrors(update.error);
  const [form, setForm] = useState(() => asForm(profile));
  const countries = useCountryOptions(i18n.language, {
    choose: t("register.countryChoose"),
    nearby: t("register.countriesNearby"),
    others: t("register.countriesOthers"),
  });
  const field = (name: Field) => ({
    label: t(LABELS[name]),
    value: form[name],
    readOnly: !editable,
    error: errorFor(name),
    onChange: (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      const value = event.currentTarget.value;
      setForm((before) => ({ ...before, [name]: value }));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Optional fields left empty are cleared (null); required ones go as typed, for the
    // server to say what is missing.
    const optional = (value: string) => (value.trim() === "" ? null : value.trim());
    update.mutate({
      legal_name: form.legal_name.trim(),
      street: optional(form.street),
      postcode: optional(form.postcode),
      city: optional(form.city),
      country: form.country,
      vat_id: form.vat_id.trim(),
      invoice_email: optional(form.invoice_email),
    });
  };
  return (
    <Paper p="md" withBorder>
      <form onSubmit={submit} noValidate aria-label={t("company.title")}>
        <Stack>
          {!editable && <Text c="dimmed">{t("company.readOnly")}</Text>}
          {update.isError && <ErrorMessage error={update.error} fields={FIELDS} />}
          {update.isSuccess && (
            <Alert color="green" role="status">
              {t("company.saved")}
            </Alert>
          )}
          <TextInput autoComplete="organization" required {...field("legal_name")} />
          <TextInput autoComplete="street-address" {...field("street")} />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput autoComplete="postal-code" {...field("postcode")} />
            <TextInput autoComplete="address-level2" {...field("city")} />
          </SimpleGrid>
          <NativeSelect autoComplete="country" required {...field("country")} disabled={!editable}>
            {countries}
          </NativeSelect>
          <TextInput required {...field("vat_id")} />
          <TextInput type="email" autoComplete="email" {...field("invoice_email")} />
          {editable && (
            <Button type="submit" loading={update.isPending} style={{ alignSelf: "start" }}>
              {t("company.save")}
            </Button>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
