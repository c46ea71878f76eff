import { Badge, Button, Group, Modal, NativeSelect, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import type { Schemas } from "../../../lib/api/client";
import { formatDateTime } from "../../../lib/datetime";
import { ROLES, useMe } from "../../auth";
import { useDeactivateMember } from "../api/deactivate-member";
import { useMembers } from "../api/get-members";
import { useReactivateMember } from "../api/reactivate-member";
import { useRemoveMember } from "../api/remove-member";
import { type MemberRole, useUpdateMemberRole } from "../api/update-member-role";

type Member = Schemas["MemberRead"];

/**
 * The members with their role, 2FA and last login, and what an owner or admin may change. The
 * server decides what is allowed (the last owner stays, only owners manage owners); its
 * refusal is shown above the list in the reader's language.
 */
export function MemberTable() {
  const { t, i18n } = useTranslation();
  const members = useMembers();
  const me = useMe();
  const changeRole = useUpdateMemberRole();
  const deactivate = useDeactivateMember();
  const reactivate = useReactivateMember();
  const remove = useRemoveMember();
  const [failure, setFailure] = useState<unknown>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const onError = (error: unknown) => setFailure(error);
  const onSuccess = () => setFailure(null);

  if (members.isError) return <ErrorMessage error={members.error} />;
  const items = members.data?.items ?? [];
  return (
    <Stack>
      {failure !== null && <ErrorMessage error={failure} />}
      <Table className="aos-stack" aria-label={t("members.title")}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("members.name")}</Table.Th>
            <Table.Th>{t("members.email")}</Table.Th>
            <Table.Th>{t("members.role")}</Table.Th>
            <Table.Th>{t("members.twoFactor")}</Table.Th>
            <Table.Th>{t("members.lastLogin")}</Table.Th>
            <Table.Th>{t("members.status")}</Table.Th>
            <Table.Th>{t("members.actions")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((member) => (
            <Table.Tr key={member.id} data-testid={`member-${member.email}`}>
              <Table.Td data-label={t("members.name")}>
                {member.name} {member.id === me.data?.user.id && <Text span c="dimmed">{t("members.you")}</Text>}
              </Table.Td>
              <Table.Td data-label={t("members.email")}>{member.email}</Table.Td>
              <Table.Td data-label={t("members.role")}>
                <NativeSelect
                  aria-label={t("members.changeRole", { name: member.name })}
                  size="xs"
                  value={member.role}
                  disabled={changeRole.isPending}
                  data={ROLES.map((value) => ({ value, label: t(`roles.${value}`) }))}
                  onChange={(event) =>
                    changeRole.mutate({ userId: member.id, role: event.currentTarget.value as MemberRole }, { onError, onSuccess })
                  }
                />
              </Table.Td>
              <Table.Td data-label={t("members.twoFactor")}>{member.totp_enabled ? t("members.twoFactorOn") : t("members.twoFactorOff")}</Table.Td>
              <Table.Td data-label={t("members.lastLogin")}>
                {member.last_login_at ? formatDateTime(member.last_login_at, i18n.language) : t("members.never")}
              </Table.Td>
              <Table.Td data-label={t("members.status")}>
                <Badge color={member.active ? "green" : "gray"} variant="light">
                  {member.active ? t("members.active") : t("members.inactive")}
                </Badge>
              </Table.Td>
              <Table.Td data-label={t("members.actions")}>
                <Group gap="xs" justify="end" wrap="wrap">
                  {member.active ? (
                    <Button size="xs" variant="default" loading={deactivate.isPending && deactivate.variables === member.id} onClick={() => deactivate.mutate(member.id, { onError, onSuccess })}>
                      {t("members.deactivate")}
                    </Button>
                  ) : (
                    <Button size="xs" variant="default" loading={reactivate.isPending && reactivate.variables === member.id} onClick={() => reactivate.mutate(member.id, { onError, onSuccess })}>
                      {t("members.reactivate")}
                    </Button>
                  )}
                  <Button size="xs" variant="default" color="red" onClick={() => setRemoving(member)}>
                    {t("members.remove")}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={t("members.removeTitle", { name: removing?.name ?? "" })}>
        <Stack>
          <Text>{t("members.removeText")}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              {t("members.cancel")}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => {
                if (removing === null) return;
                remove.mutate(removing.id, { onError, onSuccess, onSettled: () => setRemoving(null) });
              }}
            >
              {t("members.removeConfirm")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
