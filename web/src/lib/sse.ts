import { createParser } from "eventsource-parser";

/** One server-sent event: its name ("message" when the server gave none) and its JSON data. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/**
 * Read a text/event-stream body until it ends, calling `onEvent` for each event.
 *
 * The browser's EventSource cannot send an Authorization header, and the access token must not
 * go into a URL (URLs end up in logs), so the stream is read from fetch() instead; the framing
 * is parsed by eventsource-parser. Data that is not JSON is passed on as its text.
 */
export async function readServerEvents(body: ReadableStream<Uint8Array>, onEvent: (event: ServerEvent) => void): Promise<void> {
  const parser = createParser({
    onEvent(message) {
      let data: unknown = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // not JSON: keep the text
      }
      onEvent({ event: message.event ?? "message", data });
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}
