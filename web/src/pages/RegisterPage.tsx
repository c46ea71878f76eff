import { Alert, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../api/ApiProvider";
import { type Schemas, unwrap } from "../api/client";
import { ResendOutcome, useResendVerification } from "../auth/resendVerification";
import { ErrorMessage } from "../components/ErrorMessage";

type Form = Schemas["OrganizationCreate"];
const EMPTY: Form = { company_name: "", country: "", vat_id: "", owner_name: "", email: "", password: "" };

export function RegisterPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [form, setForm] = useState<Form>(EMPTY);
  const register = useMutation({
    mutationFn: () => unwrap(api.POST("/api/identity/organizations", { body: form })),
  });
  const { resend, send } = useResendVerification();
  const field = (name: keyof Form) => ({
    value: form[name],
    required: true,
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
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
          {register.isError && <ErrorMessage error={register.error} />}
          <TextInput label={t("register.company")} autoComplete="organization" autoFocus {...field("company_name")} />
          <TextInput label={t("register.country")} autoComplete="country" maxLength={2} {...field("country")} onChange={(e) => {
            const value = e.currentTarget.value.toUpperCase();
            setForm((old) => ({ ...old, country: value }));
          }} />
          <TextInput label={t("register.vat")} {...field("vat_id")} />
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
