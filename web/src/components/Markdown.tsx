import { Anchor, Blockquote, Code, List, Table, Text, Title, Typography } from "@mantine/core";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

// Markdown elements as Mantine components, so documents look like the rest of the portal.
// A document's own headings start at level 2: the page title is its only h1.
const components: Components = {
  h1: ({ children }) => <Title order={2}>{children}</Title>,
  h2: ({ children }) => <Title order={2} size="h3" mt="md">{children}</Title>,
  h3: ({ children }) => <Title order={3} size="h4" mt="sm">{children}</Title>,
  h4: ({ children }) => <Title order={4} size="h5">{children}</Title>,
  p: ({ children }) => <Text my="xs">{children}</Text>,
  a: ({ href, children }) => (
    <Anchor href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </Anchor>
  ),
  ul: ({ children }) => <List withPadding>{children}</List>,
  ol: ({ children }) => <List type="ordered" withPadding>{children}</List>,
  li: ({ children }) => <List.Item>{children}</List.Item>,
  blockquote: ({ children }) => <Blockquote my="sm">{children}</Blockquote>,
  code: ({ children }) => <Code>{children}</Code>,
  table: ({ children }) => (
    <Table.ScrollContainer minWidth={480}>
      <Table withTableBorder withColumnBorders striped>
        {children}
      </Table>
    </Table.ScrollContainer>
  ),
  thead: ({ children }) => <Table.Thead>{children}</Table.Thead>,
  tbody: ({ children }) => <Table.Tbody>{children}</Table.Tbody>,
  tr: ({ children }) => <Table.Tr>{children}</Table.Tr>,
  th: ({ children }) => <Table.Th scope="col">{children}</Table.Th>,
  td: ({ children }) => <Table.Td>{children}</Table.Td>,
};

/**
 * A document body written in Markdown (with GitHub tables). Raw HTML in it is dropped and
 * images are not loaded, so a document can neither run script nor pull content from elsewhere;
 * react-markdown builds React elements and never sets HTML.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <Typography p={0}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components} skipHtml disallowedElements={["img"]} unwrapDisallowed>
        {children}
      </ReactMarkdown>
    </Typography>
  );
}
