import { Button, Card, Code, CopyButton, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { agentBuildsQueryOptions } from "../api/get-agent-builds";

type AgentBuild = Schemas["AgentBuildRead"];

/** "windows-x86_64" → "Windows (x86-64)"; a platform the portal does not know is shown as it is. */
export function platformLabel(platform: string): string {
  const [os = "", arch = ""] = platform.split("-", 2);
  const names: Record<string, string> = { windows: "Windows", linux: "Linux", macos: "macOS" };
  const archs: Record<string, string> = { x86_64: "x86-64", arm64: "ARM64" };
  return names[os] ? `${names[os]} (${archs[arch] ?? arch})` : platform;
}

function Copyable({ label, value, testId }: { label: string; value: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="default" onClick={copy}>
              {copied ? t("downloads.builds.copied") : t("downloads.builds.copy")}
            </Button>
          )}
        </CopyButton>
      </Group>
      {/* Wrapped, not scrolled: a phone shows the whole value. */}
      <Code block data-testid={testId} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {value}
      </Code>
    </Stack>
  );
}

function BuildCard({ build }: { build: AgentBuild }) {
  const { t, i18n } = useTranslation();
  const megabytes = (build.size / 1e6).toLocaleString(i18n.language, { maximumFractionDigits: 1 });
  return (
    <Card withBorder data-testid="agent-build">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {t("downloads.builds.buildTitle", { version: build.version, platform: platformLabel(build.platform) })}
          </Title>
          <Button component="a" href={build.url} download={build.file_name}>
            {t("downloads.builds.download", { size: megabytes })}
          </Button>
        </Group>
        <Text size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
          {build.file_name}
        </Text>
        <Copyable label={t("downloads.builds.sha256")} value={build.sha256} testId="agent-build-sha256" />
        <Copyable label={t("downloads.builds.signature")} value={build.signature} testId="agent-build-signature" />
      </Stack>
    </Card>
  );
}

/** The agent's builds, each with its download, SHA-256 and release signature. */
export function AgentBuilds() {
  const { t } = useTranslation();
  const api = useApi();
  const builds = useQuery(agentBuildsQueryOptions(api));
  return (
    <Stack>
      <Text>{t("downloads.builds.intro")}</Text>
      {builds.isPending && <Loader aria-label={t("app.loading")} />}
      {builds.isError && <ErrorMessage error={builds.error} />}
      {builds.isSuccess && builds.data.items.length === 0 && <Text c="dimmed">{t("downloads.builds.none")}</Text>}
      {builds.isSuccess && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {builds.data.items.map((build) => (
            <BuildCard key={build.id} build={build} />
          ))}
        </SimpleGrid>
      )}
      <Text size="sm">{t("downloads.builds.verify")}</Text>
      <Code block style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {"certutil -hashfile aos-vci-agent-<version>-windows-x86_64.exe SHA256\nsha256sum aos-vci-agent-<version>-linux-x86_64"}
      </Code>
      <Text size="sm">{t("downloads.builds.updates")}</Text>
    </Stack>
  );
}
