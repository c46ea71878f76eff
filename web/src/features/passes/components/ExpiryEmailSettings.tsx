import { Alert, Button, Card, Loader, NumberInput, Stack, Switch, Text, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { type ExpiryNotification, useExpiryNotification, useSaveExpiryNotification } from "../api/expiry-notification";

export const HOURS_BEFORE = { min: 1, max: 168 } as const;

/** The optional e-mail before a pass ends (owner, admin): on or off, and how many hours before. */
export function ExpiryEmailSettings() {
  const { t } = useTranslation();
  const current = useExpiryNotification();
  return (
    <Card withBorder component="section" aria-labelledby="expiry-mail">
      <Stack gap="sm">
        <Title order={2} size="h4" id="expiry-mail">
          {t("expiry.mail.title")}
        </Title>
        <Text size="sm">{t("expiry.mail.intro")}</Text>
        {current.isPending && <Loader aria-label={t("app.loading")} />}
        {current.isError && <ErrorMessage error={current.error} />}
        {current.isSuccess && <ExpiryEmailForm initial={current.data} />}
      </Stack>
    </Card>
  );
}

function ExpiryEmailForm({ initial }: { initial: ExpiryNotification }) {
  const { t } = useTranslation();
  const save = useSaveExpiryNotification();
  const [form, setForm] = useState(initial);
  const { errorFor } = useFieldErrors(save.error);
  const valid = Number.isInteger(form.hours_before) && form.hours_before >= HOURS_BEFORE.min && form.hours_before <= HOURS_BEFORE.max;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid) save.mutate(form);
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm" align="start">
        <Switch label={t("expiry.mail.email")} checked={form.email} onChange={(event) => setForm({ ...form, email: event.currentTarget.checked })} />
        <NumberInput
          label={t("expiry.mail.hoursBefore")}
          description={t("expiry.mail.hoursRange", HOURS_BEFORE)}
          min={HOURS_BEFORE.min}
          max={HOURS_BEFORE.max}
          allowDecimal={false}
          allowNegative={false}
          disabled={!form.email}
          value={form.hours_before}
          error={!valid ? t("expiry.mail.hoursRange", HOURS_BEFORE) : errorFor("hours_before")}
          onChange={(value) => setForm({ ...form, hours_before: typeof value === "number" ? value : Number.NaN })}
        />
        {save.isError && <ErrorMessage error={save.error} fields={["hours_before"]} />}
        {save.isSuccess && (
          <Alert color="green" role="status">
            {t("expiry.mail.saved")}
          </Alert>
        )}
        <Button type="submit" loading={save.isPending} disabled={!valid}>
          {t("expiry.mail.save")}
        </Button>
      </Stack>
    </form>
  );
}
