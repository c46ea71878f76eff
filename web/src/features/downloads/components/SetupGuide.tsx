import { Anchor, Code, List, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

// The steps of the guide, in order; each has a title, a text and, for some, a command.
const STEPS = ["download", "install", "pair", "vci", "charger", "service"] as const;
const COMMANDS: Partial<Record<(typeof STEPS)[number], string>> = {
  install: "chmod +x aos-vci-agent-<version>-linux-x86_64",
  vci: "aos-vci-agent connect --host <VCI address>",
};

/** Installing the agent on the workshop PC, pairing it, connecting the VCI and the charger. */
export function SetupGuide() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Text>{t("downloads.setup.intro")}</Text>
      <List type="ordered" spacing="md">
        {STEPS.map((step) => (
          <List.Item key={step} data-testid={`setup-${step}`}>
            <Stack gap={4}>
              <Title order={3} size="h5">
                {t(`downloads.setup.${step}.title`)}
              </Title>
              <Text size="sm">{t(`downloads.setup.${step}.text`)}</Text>
              {COMMANDS[step] && (
                <Code block style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                  {COMMANDS[step]}
                </Code>
              )}
              {step === "pair" && (
                <Anchor component={Link} to="/programming" size="sm">
                  {t("downloads.setup.pair.link")}
                </Anchor>
              )}
            </Stack>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
