import { Alert, Anchor, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Countdown } from "../../../components/Countdown";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { createPairingCode } from "../api/create-pairing-code";

type Agent = Schemas["AgentRead"];

/**
 * A pairing code and the command that uses it. Once an agent that was not there when the code
 * was made shows up online, the code has been used: the card says so instead.
 */
export function PairingCode({ agents }: { agents: Agent[] }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [known, setKnown] = useState<ReadonlySet<string>>(new Set());
  const create = useMutation({
    mutationFn: () => createPairingCode(api),
    onMutate: () => setKnown(new Set(agents.map((agent) => agent.id))),
  });
  const command = create.data ? `aos-vci-agent pair --server ${window.location.origin} --code ${create.data.code}` : "";
  const paired = create.isSuccess ? agents.find((agent) => agent.online && !known.has(agent.id)) : undefined;
  return (
    <Stack align="start" gap="xs">
      <Button onClick={() => create.mutate()} loading={create.isPending}>
        {t("programming.pairing.button")}
      </Button>
      {create.isError && <ErrorMessage error={create.error} />}
      {paired && (
        <Alert color="green" role="status" w="100%">
          {t("programming.pairing.paired", { name: paired.name })}
        </Alert>
      )}
      {create.isSuccess && !paired && (
        <Alert color="blue" title={t("programming.pairing.title")} role="status" w="100%">
          <Stack gap="xs">
            <Group>
              <Text>{t("programming.pairing.code")}:</Text>
              <Text ff="monospace" fz="xl" fw={700} data-testid="pairing-code">
                {create.data.code}
              </Text>
              <Text size="sm">
                {t("programming.pairing.expires")}: {new Date(create.data.expires_at).toLocaleTimeString(i18n.language)} (
                <Countdown validUntil={create.data.expires_at} />)
              </Text>
            </Group>
            <Text size="sm">
              {t("programming.pairing.intro")}{" "}
              {/* The alert's own text colour, underlined: a blue link on the blue alert lacks contrast. */}
              <Anchor component={Link} to="/downloads/setup" c="inherit" underline="always" fw={500}>
                {t("programming.pairing.setupGuide")}
              </Anchor>
            </Text>
            {/* Wrapped, not scrolled: on a phone the whole command stays readable. */}
            <Code block style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {command}
            </Code>
            <Group>
              <CopyButton value={command}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? t("programming.pairing.copied") : t("programming.pairing.copy")}
                  </Button>
                )}
              </CopyButton>
              <Text size="sm" c="dimmed">
                {t("programming.pairing.waiting")}
              </Text>
            </Group>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
