import { create, toBinary } from "@bufbuild/protobuf";
import { EventSchema, type Event } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import { nextPage, readPage } from "../store/page-token.js";
import type { EventRow } from "../store/rows.js";
import type { EmittedEvent, KeyReused, NewEvent } from "../store/sql/emit-events.js";
import { findEvent } from "../store/sql/find-event.js";
import { listEvents } from "../store/sql/list-events.js";
import { GroupCommit } from "../store/group-commit.js";
import { activeTraceHeaders } from "../observability/trace-context.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { readView, type ViewName } from "./event-view.js";
import { eventToProto } from "./proto-mapping.js";
import { eventTypesResponse } from "./event-types-response.js";
import { fullAnswerCheck } from "./full-answer-size.js";
import { keyReusedError, persistEvents } from "./persist-events.js";
import { prepareBatch, prepareEvent } from "./prepare-events.js";
import { PAGE_BYTES, repeatedFieldBytes } from "./size-limits.js";
import { checkCustomerIdFilter, checkEventTypeFilter, checkId } from "./validate.js";

/**
 * `event` with the trace context of the call storing it (the RPC's span, rpc-tracing.ts), taken
 * here, in the caller's context: group commit may write it from another call's.
 */
function withTrace(event: NewEvent): NewEvent {
  const trace = activeTraceHeaders();
  return trace ? { ...event, trace } : event;
}

/** Most events in one EmitBatch. */
export const MAX_BATCH_EVENTS = 500;

type EventHandlers = Pick<UnaryHandlers, "emit" | "emitBatch" | "getEvent" | "listEvents" | "listEventTypes">;

/**
 * The event RPCs: Emit and EmitBatch validate and build their events (`prepare-events.ts`) and
 * store them (`persistEvents`); GetEvent, ListEvents and ListEventTypes read.
 */
export function eventHandlers(deps: ApiDeps): EventHandlers {
  const { store, clock, catalog } = deps;
  const rules = { catalog, maxPayloadBytes: deps.config.maxPayloadBytes };

  /**
   * Unary Emits that arrive while a write is running share the next transaction (group
   * commit): under load one transaction serves many callers; each caller still gets its own
   * result, and its event is stored before it gets it. A caller refused for a reused key wrote
   * nothing and fails alone.
   */
  const emits = new GroupCommit<NewEvent, EmittedEvent | KeyReused>((events) => persistEvents(deps, events, false), MAX_BATCH_EVENTS);

  const respond = (result: EmittedEvent, view: ViewName, data: Record<string, unknown>) => ({
    event: eventToProto(result.event, view, result.replayed ? undefined : data),
    matchedSubscriptions: result.matchedSubscriptions,
    replayed: result.replayed,
  });

  return {
    async emit(request) {
      const view = readView("view", request.view, "basic");
      const prepared = prepareEvent(request, "", clock.nowMs(), rules);
      const result = await emits.submit(withTrace(prepared.event));
      if ("keyReused" in result) throw keyReusedError("", [prepared.event], 0, result);
      return respond(result, view, prepared.data);
    },

    async emitBatch(request) {
      if (request.events.length === 0) throw new InvalidArgumentError("events", "must hold at least one event");
      if (request.events.length > MAX_BATCH_EVENTS) {
        throw new InvalidArgumentError("events", `must hold at most ${MAX_BATCH_EVENTS} events, got ${request.events.length}`);
      }
      const view = readView("view", request.view, "basic");
      const prepared = await prepareBatch(request.events, clock.nowMs(), rules);
      const check = view === "full" ? fullAnswerCheck(prepared) : undefined;
      const results = (await persistEvents(deps, prepared.map((p) => withTrace(p.event)), true, check)) as EmittedEvent[];
      return { results: results.map((result, index) => respond(result, view, prepared[index]!.data)) };
    },

    async getEvent(request, scope) {
      return { event: eventToProto(await findEvent(store.db, checkId("id", request.id, "event"), scope), "full") };
    },

    async listEvents(request) {
      const view = readView("view", request.view, "full");
      const page = readPage("events", request.pageSize, request.pageToken, request.newestFirst);
      const customerId = checkCustomerIdFilter("customer_id", request.customerId);
      const type = checkEventTypeFilter("type", request.type);
      const rows = await listEvents(
        store.db,
        { customerId, type },
        page,
        view === "full" ? { envelope: true, stopAtBytes: PAGE_BYTES } : { envelope: false },
      );
      const messages = new Map<EventRow, Event>();
      const messageOf = (row: EventRow): Event => {
        let message = messages.get(row);
        if (!message) messages.set(row, (message = create(EventSchema, eventToProto(row, view))));
        return message;
      };
      const { rows: shown, nextPageToken } = nextPage(rows, page, {
        maxBytes: PAGE_BYTES,
        bytesOf: (row) => repeatedFieldBytes(toBinary(EventSchema, messageOf(row)).length),
      });
      return { events: shown.map(messageOf), nextPageToken };
    },

    async listEventTypes() {
      return eventTypesResponse(catalog);
    },
  };
}
