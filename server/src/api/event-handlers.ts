import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { create, toBinary } from "@bufbuild/protobuf";
import { EventSchema, EventView, type EmitRequest, type Event } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import { canonicalSize, serializeEnvelope } from "../domain/envelope.js";
import { newId } from "../domain/ids.js";
import { nextPage, readPage } from "../store/page-token.js";
import type { EventRow } from "../store/rows.js";
import type { EmittedEvent, KeyReused, NewEvent } from "../store/sql/emit-events.js";
import { findEvent } from "../store/sql/find-event.js";
import { listEvents } from "../store/sql/list-events.js";
import { GroupCommit } from "../store/group-commit.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { readView, type ViewName } from "./event-view.js";
import { eventToProto } from "./proto-mapping.js";
import { fullAnswerCheck } from "./full-answer-size.js";
import { keyReusedError, persistEvents } from "./persist-events.js";
import { MAX_BATCH_DATA_BYTES, PAGE_BYTES, repeatedFieldBytes } from "./size-limits.js";
import {
  checkCustomerId,
  checkCustomerIdFilter,
  checkData,
  checkEventType,
  checkEventTypeFilter,
  checkId,
  checkIdempotencyKey,
} from "./validate.js";

/** Most events in one EmitBatch. */
export const MAX_BATCH_EVENTS = 500;
/**
 * EmitBatch prepares its events (validation, canonical JSON) in slices of about this many bytes
 * of `data`, yielding to the event loop between slices, so a large batch does not hold up
 * other calls of this process for its whole preparation.
 */
const PREPARE_SLICE_BYTES = 256 * 1024;

type EventHandlers = Pick<UnaryHandlers, "emit" | "emitBatch" | "getEvent" | "listEvents" | "listEventTypes">;

export function eventHandlers(deps: ApiDeps): EventHandlers {
  const { store, clock, catalog } = deps;

  /** Validates one request and builds its envelope; `prefix` is "" or "events[i]." for batches. */
  const prepare = (
    request: EmitRequest,
    prefix: string,
    nowMs: number,
  ): { event: NewEvent; data: Record<string, unknown>; dataBytes: number } => {
    const type = checkEventType(`${prefix}type`, request.type, catalog);
    const customerId = checkCustomerId(`${prefix}customer_id`, request.customerId);
    const idempotencyKey = checkIdempotencyKey(`${prefix}idempotency_key`, request.idempotencyKey);
    // Unset `data` is the empty object: proto3 cannot tell an empty Struct from a missing one.
    const data = (request.data ?? {}) as Record<string, unknown>;
    checkData(`${prefix}data`, data);
    const size = canonicalSize(data);
    if (size > deps.config.maxPayloadBytes) {
      throw new InvalidArgumentError(
        `${prefix}data`,
        `is ${size} bytes as canonical JSON; at most ${deps.config.maxPayloadBytes} are accepted`,
      );
    }
    const id = newId("event");
    const envelope = serializeEnvelope({
      api_version: "v1",
      customer_id: customerId,
      data,
      id,
      // Whole seconds (contract); the stored created_at is the same instant, so GetEvent agrees.
      timestamp: Math.floor(nowMs / 1000),
      type,
    });
    // Stored times are whole seconds, like the envelope's `timestamp`, so GetEvent agrees with it.
    const createdAt = new Date(Math.floor(nowMs / 1000) * 1000);
    return { event: { id, type, customerId, envelope, idempotencyKey, createdAt }, data, dataBytes: size };
  };

  /**
   * Prepares every event of a batch, yielding to the event loop between slices. Refuses a view
   * set on an event (it belongs on the batch) and a batch whose `data` totals more than
   * `MAX_BATCH_DATA_BYTES`, before anything is written.
   */
  const prepareBatch = async (requests: EmitRequest[], nowMs: number) => {
    const prepared: ReturnType<typeof prepare>[] = [];
    let totalBytes = 0;
    let sliceBytes = 0;
    for (const [index, request] of requests.entries()) {
      if (request.view !== EventView.UNSPECIFIED) {
        throw new InvalidArgumentError(`events[${index}].view`, "must be unset inside EmitBatch; set view on the batch");
      }
      const one = prepare(request, `events[${index}].`, nowMs);
      prepared.push(one);
      totalBytes += one.dataBytes;
      sliceBytes += one.dataBytes;
      if (sliceBytes >= PREPARE_SLICE_BYTES) {
        sliceBytes = 0;
        await yieldToEventLoop();
      }
    }
    if (totalBytes > MAX_BATCH_DATA_BYTES) {
      throw new InvalidArgumentError(
        "events",
        `data totals ${totalBytes} bytes of canonical JSON; a batch carries at most ${MAX_BATCH_DATA_BYTES} (4 MiB): split the batch`,
      );
    }
    return prepared;
  };

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
      const prepared = prepare(request, "", clock.nowMs());
      const result = await emits.submit(prepared.event);
      if ("keyReused" in result) throw keyReusedError("", [prepared.event], 0, result);
      return respond(result, view, prepared.data);
    },

    async emitBatch(request) {
      if (request.events.length === 0) throw new InvalidArgumentError("events", "must hold at least one event");
      if (request.events.length > MAX_BATCH_EVENTS) {
        throw new InvalidArgumentError("events", `must hold at most ${MAX_BATCH_EVENTS} events, got ${request.events.length}`);
      }
      const view = readView("view", request.view, "basic");
      const prepared = await prepareBatch(request.events, clock.nowMs());
      const check = view === "full" ? fullAnswerCheck(prepared) : undefined;
      const results = (await persistEvents(deps, prepared.map((p) => p.event), true, check)) as EmittedEvent[];
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
      return { eventTypes: [...catalog] };
    },
  };
}
