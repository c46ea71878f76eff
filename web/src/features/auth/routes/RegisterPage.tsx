import { Alert, Button, NativeSelect, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { type RegistrationInput, useRegisterOrganization } from "../api/register-organization";
import { useResendVerification } from "../api/resend-verification";
import { ResendOutcome } from "../components/ResendOutcome";
import { useCountryOptions } from "../hooks/useCountryOptions";

type Form = RegistrationInput;
const EMPTY: Form = { company_name: "", country: "", vat_id: "", owner_name: "", email: "", password: "" };
const FIELDS: readonly (keyof Form)[] = Object.keys(EMPTY) as (keyof Form)[];

export function RegisterPage() {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState<Form>(EMPTY);
  const register = useRegisterOrganization();
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
    register.mutate(form);
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
