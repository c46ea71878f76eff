import { SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useMe } from "../../auth";
import { EmailForm } from "../components/EmailForm";
import { LoginSessions } from "../components/LoginSessions";
import { PasswordForm } from "../components/PasswordForm";
import { RecoveryCodes } from "../components/RecoveryCodes";

/** My account (every member): password, e-mail address, recovery codes and logins. */
export function AccountPage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <Stack maw={1100}>
      <Title order={1} size="h2">
        {t("account.title")}
      </Title>
      {me.data && <Text>{t("account.signedInAs", { email: me.data.user.email })}</Text>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <PasswordForm />
        <EmailForm />
      </SimpleGrid>
      <RecoveryCodes />
      <LoginSessions />
    </Stack>
  );
}
