import { Alert, Anchor, Loader, Paper, Stack, Title } from "@mantine/core";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useConfirmEmailChange } from "../api/confirm-email-change";

/** The link mailed to a new address (`/confirm-email-change?token=…`); confirms on opening. */
export function ConfirmEmailChangePage() {
  const { t } = useTranslation();
  const token = useSearchParams()[0].get("token");
  const confirm = useConfirmEmailChange();
  const { mutate } = confirm;
  const sent = useRef(false);
  useEffect(() => {
    if (token !== null && token !== "" && !sent.current) {
      sent.current = true; // the link works once: one request even when the effect runs twice
      mutate({ token });
    }
  }, [token, mutate]);

  return (
    <Paper maw={480} mx="auto" p="lg" withBorder>
      <Stack>
        <Title order={1} size="h2">
          {t("emailChange.title")}
        </Title>
        {(token === null || token === "") && <Alert color="yellow">{t("emailChange.noToken")}</Alert>}
        {confirm.isPending && <Loader aria-label={t("emailChange.working")} />}
        {confirm.isError && <ErrorMessage error={confirm.error} />}
        {confirm.isSuccess && (
          <Alert color="green" role="status">
            {t("emailChange.done", { email: confirm.data.email })}
          </Alert>
        )}
        <Anchor component={Link} to="/login">
          {t("nav.login")}
        </Anchor>
      </Stack>
    </Paper>
  );
}
