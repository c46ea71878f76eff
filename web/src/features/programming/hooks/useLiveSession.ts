import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { ApiError } from "../../../lib/problem";
import { readServerEvents, type ServerEvent } from "../../../lib/sse";
import { sessionKey, sessionQueryOptions } from "../api/get-session";
import { openSessionEvents } from "../api/get-session-events";
import { TERMINAL_STATES } from "../format";

type Session = Schemas["SessionRead"];

/** How the live link to a running session is doing. */
export type LinkState = "idle" | "live" | "reconnecting" | "lost";

export interface LiveOptions {
  /** Milliseconds before the first reconnect; each further try waits one step longer. */
  retryMs?: number;
  /** Reconnects in a row before giving up (the page then offers a reload). */
  maxRetries?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const id = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(id);
      resolve();
    });
  });

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * Apply one server-sent event to the cached session; true when the session ended.
 *
 * `snapshot` replaces the session, `progress` moves a job's progress bar, `job` and `session`
 * change states and fetch the session again for what the event does not carry (versions,
 * times, details).
 */
export function applySessionEvent(queryClient: QueryClient, sessionId: string, event: ServerEvent): boolean {
  const key = sessionKey(sessionId);
  const data = record(event.data);
  const patchJob = (jobId: unknown, patch: (job: Session["jobs"][number]) => Session["jobs"][number]) =>
    queryClient.setQueryData<Session>(key, (old) => old && { ...old, jobs: old.jobs.map((job) => (job.id === jobId ? patch(job) : job)) });
  switch (event.event) {
    case "snapshot": {
      const session = event.data as Session;
      queryClient.setQueryData<Session>(key, session);
      return TERMINAL_STATES.has(session.state);
    }
    case "progress":
      patchJob(data.job_id, (job) => ({
        ...job,
        state: "RUNNING",
        progress: { phase: String(data.phase), bytes_done: Number(data.bytes_done), bytes_total: Number(data.bytes_total) },
      }));
      return false;
    case "job":
      patchJob(data.job_id, (job) => ({ ...job, state: String(data.state) }));
      void queryClient.invalidateQueries({ queryKey: key });
      return false;
    case "session": {
      const state = String(data.state);
      queryClient.setQueryData<Session>(key, (old) => old && { ...old, state, end_detail: typeof data.detail === "string" ? data.detail : old.end_detail });
      void queryClient.invalidateQueries({ queryKey: key });
      return TERMINAL_STATES.has(state);
    }
    default:
      return false;
  }
}

/**
 * A programming session, kept current: fetched once, then followed over its server-sent events
 * while it runs. A dropped stream is reopened (its first event is a fresh snapshot, so nothing is
 * missed); after `maxRetries` failed tries in a row the link is "lost".
 */
export function useLiveSession(sessionId: string, { retryMs = 1000, maxRetries = 10 }: LiveOptions = {}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const session = useQuery(sessionQueryOptions(api, sessionId));
  const running = session.data?.state === "RUNNING";
  const [link, setLink] = useState<LinkState>("idle");

  useEffect(() => {
    if (!running) return undefined;
    const controller = new AbortController();
    const follow = async () => {
      let failures = 0;
      while (!controller.signal.aborted) {
        let ended = false;
        try {
          const data = await openSessionEvents(api, sessionId, controller.signal);
          setLink("live");
          failures = 0;
          await readServerEvents(data, (event) => {
            if (applySessionEvent(queryClient, sessionId, event)) ended = true;
          });
        } catch (error) {
          if (controller.signal.aborted) return;
          // A problem the server gave (the session is gone, access lost) will not heal on retry.
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
            setLink("lost");
            void queryClient.invalidateQueries({ queryKey: sessionKey(sessionId) });
            return;
          }
        }
        if (ended || controller.signal.aborted) return;
        failures += 1;
        if (failures > maxRetries) {
          setLink("lost");
          void queryClient.invalidateQueries({ queryKey: sessionKey(sessionId) });
          return;
        }
        setLink("reconnecting");
        await sleep(retryMs * failures, controller.signal);
      }
    };
    void follow();
    return () => {
      controller.abort();
      setLink("idle");
    };
  }, [api, queryClient, sessionId, running, retryMs, maxRetries]);

  return { session, link };
}
