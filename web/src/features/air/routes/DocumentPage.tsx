import { Anchor, Badge, Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { DiagramViewer } from "../../../components/DiagramViewer";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { Markdown } from "../../../components/Markdown";
import { svgDataUrl } from "../../../lib/svg";
import { useDocument } from "../api/get-document";

/** One AIR document: title, type, summary, its wiring diagram if it has one, and the Markdown body. */
export function DocumentPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { documentId = "" } = useParams();
  const doc = useDocument(documentId);
  return (
    <Stack>
      <Anchor component="button" type="button" onClick={() => void navigate(-1)} style={{ alignSelf: "start" }}>
        {t("air.back")}
      </Anchor>
      {doc.isPending && <Loader aria-label={t("app.loading")} />}
      {doc.isError && <ErrorMessage error={doc.error} />}
      {doc.isSuccess && (
        <>
          <Title order={1} size="h2">
            {doc.data.title}
          </Title>
          <Badge variant="light">{t(`air.types.${doc.data.type}`)}</Badge>
          <Text fw={500}>{doc.data.summary}</Text>
          {doc.data.svg && <DiagramViewer src={svgDataUrl(doc.data.svg)} alt={t("air.diagramAlt", { title: doc.data.title })} />}
          <Markdown>{doc.data.body}</Markdown>
        </>
      )}
    </Stack>
  );
}
