import { Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { InvitationTable } from "../components/InvitationTable";
import { InviteForm } from "../components/InviteForm";
import { MemberTable } from "../components/MemberTable";

/** Members and invitations of the workshop (owner, admin). */
export function MembersPage() {
  const { t } = useTranslation();
  return (
    <Stack maw={1100}>
      <Title order={1} size="h2">
        {t("members.title")}
      </Title>
      <Text>{t("members.intro")}</Text>
      <MemberTable />
      <InviteForm />
      <InvitationTable />
    </Stack>
  );
}
