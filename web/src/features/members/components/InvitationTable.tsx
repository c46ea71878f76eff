import { Alert, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { formatDateTime } from "../../../lib/datetime";
import { useInvitations } from "../api/get-invitations";
import { useResendInvitation } from "../api/resend-invitation";
import { useRevokeInvitation } from "../api/revoke-invitation";

/** The workshop's invitations; a pending or expired one can be sent again, a pending one revoked. */
export function InvitationTable() {
  const { t, i18n } = useTranslation();
  const invitations = useInvitations();
  const resend = useResendInvitation();
  const revoke = useRevokeInvitation();
  const items = invitations.data?.items ?? [];
  return (
    <Stack>
      <Title order={2} size="h3">
        {t("members.invitationsTitle")}
      </Title>
      {invitations.isError && <ErrorMessage error={invitations.error} />}
      {resend.isError && <ErrorMessage error={resend.error} />}
      {revoke.isError && <ErrorMessage error={revoke.error} />}
      {resend.isSuccess && (
        <Alert color="green" role="status">
          {t("members.resent", { email: resend.data.email })}
        </Alert>
      )}
      {invitations.isSuccess && items.length === 0 && <Text c="dimmed">{t("members.noInvitations")}</Text>}
      {items.length > 0 && (
        <Table className="aos-stack" aria-label={t("members.invitationsTitle")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("members.email")}</Table.Th>
              <Table.Th>{t("members.role")}</Table.Th>
              <Table.Th>{t("members.state")}</Table.Th>
              <Table.Th>{t("members.expires")}</Table.Th>
              <Table.Th>{t("members.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((invitation) => (
              <Table.Tr key={invitation.id}>
                <Table.Td data-label={t("members.email")}>{invitation.email}</Table.Td>
                <Table.Td data-label={t("members.role")}>{t(`roles.${invitation.role}`)}</Table.Td>
                <Table.Td data-label={t("members.state")}>{t(`members.states.${invitation.state}`)}</Table.Td>
                <Table.Td data-label={t("members.expires")}>{formatDateTime(invitation.expires_at, i18n.language)}</Table.Td>
                <Table.Td data-label={t("members.actions")}>
                  <Group gap="xs" justify="end" wrap="wrap">
                    {(invitation.state === "pending" || invitation.state === "expired") && (
                      <Button size="xs" variant="default" loading={resend.isPending && resend.variables === invitation.id} onClick={() => resend.mutate(invitation.id)}>
                        {t("members.resend")}
                      </Button>
                    )}
                    {invitation.state === "pending" && (
                      <Button size="xs" variant="default" color="red" loading={revoke.isPending && revoke.variables === invitation.id} onClick={() => revoke.mutate(invitation.id)}>
                        {t("members.revoke")}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
