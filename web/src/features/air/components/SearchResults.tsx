import { Anchor, Badge, Card, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../../lib/api/client";
import { snippetParts } from "../search";

type DocumentHit = Schemas["DocumentList"]["items"][number];

/** The documents a search found, each with its type and the snippet with the matches marked. */
export function SearchResults({ items }: { items: DocumentHit[] }) {
  const { t } = useTranslation();
  return (
    <Stack component="ol" gap="sm" p={0} style={{ listStyle: "none" }}>
      {items.map((doc) => (
        <Card component="li" key={doc.id} withBorder>
          <Group justify="space-between">
            <Anchor component={Link} to={`/air/documents/${encodeURIComponent(doc.id)}`} fw={500}>
              {doc.title}
            </Anchor>
            <Badge variant="light">{t(`air.types.${doc.type}`)}</Badge>
          </Group>
          <Text size="sm">
            {doc.snippet
              ? snippetParts(doc.snippet).map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))
              : doc.summary}
          </Text>
        </Card>
      ))}
    </Stack>
  );
}
