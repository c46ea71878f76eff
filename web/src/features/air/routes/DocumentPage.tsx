import { Anchor, Badge, Button, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { DiagramViewer } from "../../../components/DiagramViewer";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { Markdown } from "../../../components/Markdown";
import { useApi } from "../../../lib/api/ApiProvider";
import { saveFile } from "../../../lib/download";
import { svgDataUrl } from "../../../lib/svg";
import { downloadDocumentPdf, useDocument } from "../api/get-document";
import type { ContentLanguage } from "../api/types";
import { LanguageBadge } from "../components/LanguageBadge";

/** Prints the document only: responsive.css hides the portal around it while the body has the class. */
function printDocument() {
  document.body.classList.add("aos-print-document");
  window.addEventListener("afterprint", () => document.body.classList.remove("aos-print-document"), { once: true });
  window.print();
}

/**
 * One AIR document: title, type, language (and the other language when it exists), summary, its
 * wiring diagram if it has one, and the Markdown body; printed, or as a PDF with the vehicle and
 * the workshop on it. `?vin=` reads it for that car (a per-VIN pass), `?lang=` in that language.
 */
export function DocumentPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const { documentId = "" } = useParams();
  const [params] = useSearchParams();
  const vin = params.get("vin");
  const lang = params.get("lang") ?? i18n.language;
  const doc = useDocument({ documentId, vin, lang });
  const pdf = useMutation({ mutationFn: async () => saveFile(await downloadDocumentPdf(api, { documentId, vin, lang: doc.data?.language ?? lang })) });
  const switchTo = (language: ContentLanguage) => {
    const next = new URLSearchParams(params);
    next.set("lang", language);
    return `?${next.toString()}`;
  };
  return (
    <Stack className="aos-document">
      <Anchor component="button" type="button" onClick={() => void navigate(-1)} style={{ alignSelf: "start" }} className="aos-no-print">
        {t("air.back")}
      </Anchor>
      {doc.isPending && <Loader aria-label={t("app.loading")} />}
      {doc.isError && <ErrorMessage error={doc.error} />}
      {doc.isSuccess && (
        <>
          <Title order={1} size="h2" lang={doc.data.language}>
            {doc.data.title}
          </Title>
          <Group gap="xs">
            <Badge variant="light">{t(`air.types.${doc.data.type}`)}</Badge>
            <LanguageBadge language={doc.data.language} always />
            {vin !== null && <Text size="sm">{t("air.document.forVehicle", { vin })}</Text>}
          </Group>
          <Group gap="sm" className="aos-no-print">
            {doc.data.available_languages
              .filter((language) => language !== doc.data.language)
              .map((language) => (
                <Anchor key={language} component={Link} to={switchTo(language)} replace>
                  {t("air.document.readIn", { language: t(`air.languages.${language}`) })}
                </Anchor>
              ))}
            <Button variant="default" size="xs" onClick={printDocument}>
              {t("air.document.print")}
            </Button>
            <Button variant="default" size="xs" onClick={() => pdf.mutate()} loading={pdf.isPending}>
              {t("air.document.pdf")}
            </Button>
          </Group>
          {pdf.isError && <ErrorMessage error={pdf.error} />}
          <Stack gap="sm" lang={doc.data.language}>
            <Text fw={500}>{doc.data.summary}</Text>
            {doc.data.svg && <DiagramViewer src={svgDataUrl(doc.data.svg)} alt={t("air.diagramAlt", { title: doc.data.title })} />}
            <Markdown>{doc.data.body}</Markdown>
          </Stack>
        </>
      )}
    </Stack>
  );
}
