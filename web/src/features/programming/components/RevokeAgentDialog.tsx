import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { revokeAgent } from "../api/revoke-agent";

type Agent = Schemas["AgentRead"];

/** Asks before revoking an agent; it can no longer connect afterwards. */
export function RevokeAgentDialog({ agent, onClose }: { agent: Agent | null; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (agentId: string) => revokeAgent(api, agentId),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["agents"] });
      onClose();
    },
  });
  return (
    <Modal opened={agent !== null} onClose={onClose} title={t("programming.agents.revokeTitle", { name: agent?.name ?? "" })}>
      <Stack>
        <Text>{t("programming.agents.revokeText")}</Text>
        {revoke.isError && <ErrorMessage error={revoke.error} />}
        <Group justify="end">
          <Button variant="default" onClick={onClose}>
            {t("programming.agents.cancel")}
          </Button>
          <Button color="red" loading={revoke.isPending} onClick={() => agent && revoke.mutate(agent.id)}>
            {t("programming.agents.revokeConfirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
