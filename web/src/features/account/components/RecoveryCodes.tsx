import { Alert, Button, Code, CopyButton, Group, List, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useMe } from "../../auth";
import { useRegenerateRecoveryCodes } from "../api/regenerate-recovery-codes";

/** Offers `text` as a file to save (the codes never leave the browser for it). */
function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/** Prints only the codes: responsive.css hides the rest of the page while the body has the class. */
function printCodes() {
  document.body.classList.add("aos-print-codes");
  window.addEventListener("afterprint", () => document.body.classList.remove("aos-print-codes"), { once: true });
  window.print();
}

/** New recovery codes (password and authenticator code), shown once with copy, download and print. */
export function RecoveryCodes() {
  const { t } = useTranslation();
  const me = useMe();
  const regenerate = useRegenerateRecoveryCodes();
  const { errorFor } = useFieldErrors(regenerate.error);
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    regenerate.mutate(
      { password, totp_code: totp.trim() },
      {
        onSuccess: () => {
          setPassword("");
          setTotp("");
        },
      },
    );
  };
  const email = me.data?.user.email ?? "";
  const codes = regenerate.data?.recovery_codes ?? [];
  const asText = [t("account.codesFileHeader", { email }), "", ...codes, ""].join("\n");
  return (
    <Paper p="md" withBorder>
      <Stack>
        <Title order={2} size="h3">
          {t("account.codesTitle")}
        </Title>
        <Text>{t("account.codesIntro")}</Text>
        {regenerate.isSuccess && (
          <Stack className="aos-codes">
            <Alert color="yellow" role="status">
              {t("account.codesShownOnce")}
            </Alert>
            <List aria-label={t("account.codesTitle")}>
              {codes.map((code) => (
                <List.Item key={code}>
                  <Code>{code}</Code>
                </List.Item>
              ))}
            </List>
            <Group gap="xs" className="aos-no-print">
              <CopyButton value={codes.join("\n")}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? t("account.copied") : t("account.copy")}
                  </Button>
                )}
              </CopyButton>
              <Button size="xs" variant="default" onClick={() => download(asText, "aos-recovery-codes.txt")}>
                {t("account.download")}
              </Button>
              <Button size="xs" variant="default" onClick={printCodes}>
                {t("account.print")}
              </Button>
            </Group>
          </Stack>
        )}
        <form onSubmit={submit} noValidate aria-label={t("account.codesTitle")}>
          <Stack>
            {regenerate.isError && <ErrorMessage error={regenerate.error} fields={["password", "totp_code"]} />}
            <PasswordInput label={t("account.currentPassword")} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errorFor("password")} />
            <TextInput label={t("account.totp")} autoComplete="one-time-code" inputMode="numeric" required value={totp} onChange={(e) => setTotp(e.currentTarget.value)} error={errorFor("totp_code")} />
            <Button type="submit" variant="default" loading={regenerate.isPending} style={{ alignSelf: "start" }}>
              {t("account.codesSubmit")}
            </Button>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
