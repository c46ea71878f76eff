import { Alert, Button, Group, NativeSelect, Paper, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { ROLES, useRole } from "../../auth";
import { useCreateInvitation } from "../api/create-invitation";
import type { MemberRole } from "../api/update-member-role";

/** Invite by e-mail with a role; only an owner may invite another owner. */
export function InviteForm() {
  const { t } = useTranslation();
  const { role: myRole } = useRole();
  const invite = useCreateInvitation();
  const { errorFor } = useFieldErrors(invite.error);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<MemberRole>("technician");
  const roles = ROLES.filter((item) => item !== "owner" || myRole === "owner");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail("") });
  };
  return (
    <Paper p="md" withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3">
            {t("members.inviteTitle")}
          </Title>
          {invite.isError && <ErrorMessage error={invite.error} fields={["email", "role"]} />}
          {invite.isSuccess && (
            <Alert color="green" role="status">
              {t("members.invited", { email: invite.data.email })}
            </Alert>
          )}
          <Group align="end" wrap="wrap">
            <TextInput
              label={t("members.inviteEmail")}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={errorFor("email")}
              style={{ flex: "1 1 16rem" }}
            />
            <NativeSelect
              label={t("members.inviteRole")}
              data={roles.map((value) => ({ value, label: t(`roles.${value}`) }))}
              value={role}
              onChange={(event) => setRole(event.currentTarget.value as MemberRole)}
              error={errorFor("role")}
            />
            <Button type="submit" loading={invite.isPending}>
              {t("members.inviteSubmit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
