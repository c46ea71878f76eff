import { describe, expect, it } from "vitest";
import { readServerEvents, type ServerEvent } from "./sse";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  await readServerEvents(streamOf(chunks), (event) => events.push(event));
  return events;
}

describe("readServerEvents", () => {
  it("parses named events with JSON data", async () => {
    const events = await collect(['event: snapshot\ndata: {"state":"RUNNING"}\n\n', 'event: progress\ndata: {"bytes_done":5}\n\n']);
    expect(events).toEqual([
      { event: "snapshot", data: { state: "RUNNING" } },
      { event: "progress", data: { bytes_done: 5 } },
    ]);
  });

  it("joins an event split across chunks, even inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode('event: job\ndata: {"detail":"Prüfung"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "ü"
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const events: ServerEvent[] = [];
    await readServerEvents(stream, (event) => events.push(event));
    expect(events).toEqual([{ event: "job", data: { detail: "Prüfung" } }]);
  });

  it("ignores keep-alive comments and keeps non-JSON data as text", async () => {
    const events = await collect([": keep-alive\n\n", "data: hello\n\n"]);
    expect(events).toEqual([{ event: "message", data: "hello" }]);
  });

  it("drops an event the stream ended before finishing", async () => {
    const events = await collect(['event: session\ndata: {"state":"COMPLETED"}\n\n', 'event: progress\ndata: {"bytes_done"']);
    expect(events).toEqual([{ event: "session", data: { state: "COMPLETED" } }]);
  });
});
