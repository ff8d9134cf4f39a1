import type { Command } from "commander";
import type { RetentionSettings, StorageDay } from "@posthorn/sdk";
import { GetStorageResponseSchema, PruneStorageResponseSchema } from "@posthorn/proto";
import { addAddressOption, addJsonOption, print, withClient, type ConnectionOptions } from "./cli-support.js";
import { formatBytes, formatTable, formatTime } from "./format-table.js";
import { messageJson, printJsonDocument } from "./json-output.js";

interface StorageOptions extends ConnectionOptions {
  json?: boolean;
}

/**
 * `posthorn storage` (GetStorage) and `posthorn storage prune [--dry-run]` (PruneStorage), admin
 * keys only: the day partitions of events, deliveries and attempts with their sizes and what the
 * next prune does with each day, and a prune on demand (issue 14's operator view). `--json`: the
 * response message.
 */
export function registerStorageCommand(program: Command): void {
  const storage = program
    .command("storage")
    .description("show stored days of events, deliveries and attempts: partitions, sizes, and what the next prune drops (admin key needed)")
    // `storage prune --address …`: the options after `prune` are prune's, not storage's (the
    // program enables the same, which commander needs on every level).
    .enablePositionalOptions();
  addJsonOption(addAddressOption(storage)).action(async (options: StorageOptions) => {
    await withClient(options, async (client) => {
      const response = await client.getStorage({});
      if (options.json) return printJsonDocument(messageJson(GetStorageResponseSchema, response));
      if (response.days.length === 0) print("No partitions: nothing is stored yet.");
      else print(formatTable(["DAY (UTC)", "TABLE", "PARTITION", "SIZE", "ROWS (EST.)", "NEXT PRUNE"], response.days.flatMap(partitionRows)));
      const dropped = response.days.filter((day) => day.drop);
      print();
      print(`${response.days.length} days, ${formatBytes(response.totalBytes)} in all; the next prune drops ${dropped.length} (${formatBytes(sum(dropped))}).`);
      print(settingsLine(response.retention));
    });
  });

  const prune = storage
    .command("prune")
    .description("drop now the days the next prune would drop: past retention, no pending deliveries (admin key needed)")
    .option("--dry-run", "drop nothing; show what would be dropped");
  addJsonOption(addAddressOption(prune)).action(async (options: StorageOptions & { dryRun?: boolean }) => {
    await withClient(options, async (client) => {
      const response = await client.pruneStorage({ dryRun: options.dryRun === true });
      if (options.json) return printJsonDocument(messageJson(PruneStorageResponseSchema, response));
      const rows = [
        ...response.dropped.map((day) => [dayLabel(day), formatBytes(day.bytes), response.dryRun ? "would drop" : "dropped", day.reason]),
        ...response.kept.map((day) => [dayLabel(day), formatBytes(day.bytes), "kept", day.reason]),
      ].sort((a, b) => a[0]!.localeCompare(b[0]!));
      if (rows.length > 0) print(formatTable(["DAY (UTC)", "SIZE", "ACTION", "REASON"], rows));
      print();
      const days = `${response.dropped.length} ${response.dropped.length === 1 ? "day" : "days"}`;
      if (response.dryRun) print(`Dry run: a prune would drop ${days} (${formatBytes(response.freedBytes)}); nothing was dropped.`);
      else print(`Dropped ${days}, freed ${formatBytes(response.freedBytes)}.`);
    });
  });
}

/** One table row per partition of `day`. */
function partitionRows(day: StorageDay): string[][] {
  const next = day.drop ? `drop: ${day.reason}` : `keep: ${day.reason}`;
  return day.partitions.map((p) => [dayLabel(day), p.table, p.name, formatBytes(p.bytes), p.rowEstimate < 0n ? "-" : p.rowEstimate.toString(), next]);
}

/** `2026-11-29`, or `before 2026-11-01` for a converted database's old rows. */
function dayLabel(day: StorageDay): string {
  const end = formatTime(day.endTime).slice(0, 10);
  return day.startTime === undefined ? `before ${end}` : formatTime(day.startTime).slice(0, 10);
}

function sum(days: readonly StorageDay[]): bigint {
  return days.reduce((total, day) => total + day.bytes, 0n);
}

/** The retention settings in one line, with the variables that change them. */
function settingsLine(settings: RetentionSettings | undefined): string {
  if (settings === undefined) return "";
  const payloads = settings.payloadRetentionDays === 0 ? "payloads for as long" : `payloads ${settings.payloadRetentionDays} days`;
  const pruning = settings.pruneEnabled
    ? "this server prunes (POSTHORN_PRUNE=on)"
    : "this server does not prune (POSTHORN_PRUNE=off): another deploy sharing the database must";
  return `Retention: ${settings.retentionDays} days (POSTHORN_RETENTION_DAYS), ${payloads} (POSTHORN_PAYLOAD_RETENTION_DAYS); ${pruning}.`;
}
