import { Alert, Button, NativeSelect, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../api/ApiProvider";
import { type Schemas, unwrap } from "../api/client";
import { ResendOutcome, useResendVerification } from "../auth/resendVerification";
import { ErrorMessage } from "../components/ErrorMessage";
import { useFieldErrors } from "../components/errorText";
import { countryGroups } from "../lib/countries";

type Form = Schemas["OrganizationCreate"];
const EMPTY: Form = { company_name: "", country: "", vat_id: "", owner_name: "", email: "", password: "" };
const FIELDS: readonly (keyof Form)[] = Object.keys(EMPTY) as (keyof Form)[];

/**
 * The country choices: EU, EEA and Switzerland first, then the rest, named in `language`. The
 * options are made once per language, not on every keystroke in the form (there are 249).
 */
function useCountryOptions(language: string, labels: { choose: string; nearby: string; others: string }) {
  const { choose, nearby: nearbyLabel, others: othersLabel } = labels;
  return useMemo(() => {
    const { nearby, others } = countryGroups(language);
    const options = (countries: typeof nearby) =>
      countries.map(({ code, name }) => (
        <option key={code} value={code}>
          {name}
        </option>
      ));
    return (
      <>
        <option value="" disabled>
          {choose}
        </option>
        <optgroup label={nearbyLabel}>{options(nearby)}</optgroup>
        <optgroup label={othersLabel}>{options(others)}</optgroup>
      </>
    );
  }, [language, choose, nearbyLabel, othersLabel]);
}

export function RegisterPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [form, setForm] = useState<Form>(EMPTY);
  const register = useMutation({
    mutationFn: () => unwrap(api.POST("/api/identity/organizations", { body: form })),
  });
  const { errorFor } = useFieldErrors(register.error);
  const countries = useCountryOptions(i18n.language, {
    choose: t("register.countryChoose"),
    nearby: t("register.countriesNearby"),
    others: t("register.countriesOthers"),
  });
  const { resend, send } = useResendVerification();
  const field = (name: keyof Form) => ({
    value: form[name],
    required: true,
    error: errorFor(name),
    onChange: (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      const value = event.currentTarget.value;
      setForm((old) => ({ ...old, [name]: value }));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate();
  };

  if (register.isSuccess) {
    const { email } = register.data;
    return (
      <Stack maw={560} mx="auto">
        <Alert color="green" title={t("register.title")} role="status">
          {t("register.done", { email })}
        </Alert>
        <Text size="sm">{t("register.resendPrompt")}</Text>
        <ResendOutcome resend={resend} />
        <Button
          variant="default"
          loading={resend.isPending}
          onClick={() => send(email)}
          style={{ alignSelf: "start" }}
        >
          {t("verify.resend")}
        </Button>
      </Stack>
    );
  }
  return (
    <Paper maw={560} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} size="h2">
            {t("register.title")}
          </Title>
          {register.isError && <ErrorMessage error={register.error} fields={FIELDS} />}
          <TextInput label={t("register.company")} autoComplete="organization" autoFocus {...field("company_name")} />
          <NativeSelect label={t("register.country")} autoComplete="country" {...field("country")}>
            {countries}
          </NativeSelect>
          <TextInput label={t("register.vat")} description={t("register.vatDescription")} {...field("vat_id")} />
          <TextInput label={t("register.owner")} autoComplete="name" {...field("owner_name")} />
          <TextInput label={t("register.email")} type="email" autoComplete="email" {...field("email")} />
          <PasswordInput label={t("register.password")} description={t("register.passwordDescription")} autoComplete="new-password" {...field("password")} />
          <Button type="submit" loading={register.isPending}>
            {t("register.submit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
