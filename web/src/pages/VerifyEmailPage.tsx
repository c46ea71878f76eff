import { Alert, Button, Loader, Stack, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useApi } from "../api/ApiProvider";
import { unwrap } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";

/** The page the verification e-mail links to: /verify-email?token=... */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [params] = useSearchParams();
  const token = params.get("token");
  const verify = useMutation({
    mutationFn: (value: string) => unwrap(api.POST("/api/identity/email-verifications", { body: { token: value } })),
  });
  const { mutate } = verify;
  // A token is single-use: send it once, even when React runs the effect twice (StrictMode).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (token && sent.current !== token) {
      sent.current = token;
      mutate(token);
    }
  }, [token, mutate]);

  return (
    <Stack maw={560} mx="auto">
      <Title order={1} size="h2">
        {t("verify.title")}
      </Title>
      {!token && <Alert color="yellow">{t("verify.missing")}</Alert>}
      {verify.isPending && <Loader aria-label={t("verify.pending")} />}
      {verify.isError && <ErrorMessage error={verify.error} />}
      {verify.isSuccess && (
        <>
          <Alert color="green" role="status">
            {t("verify.done")}
          </Alert>
          <Button component={Link} to="/login">
            {t("verify.toLogin")}
          </Button>
        </>
      )}
    </Stack>
  );
}
