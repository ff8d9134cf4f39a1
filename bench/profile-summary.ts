/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): where the process spent its time,
 * by self time per function, by package ("where does the code live"), and inclusive time of
 * the functions in Posthorn's own code.
 *
 * Standalone: `npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [skip-ms]`.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle (all but "(idle)"). */
  busyMs: number;
  selfByFunction: ProfileRow[];
  selfByPackage: ProfileRow[];
  /** Inclusive time of functions in server/src (and the SQL files), counted once per sample. */
  inclusivePosthorn: ProfileRow[];
}

function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const own = /\/(server\/(?:src|dist)|sdk\/[^/]+\/src)\/(.+)$/.exec(url);
  if (own) return `posthorn ${own[1]}/${own[2]!.split("/")[0]}`;
  return url;
}

function shortUrl(url: string): string {
  const nm = /node_modules\/(.+)$/.exec(url);
  if (nm) return nm[1]!;
  const own = /\/((server|sdk|bench)\/.+)$/.exec(url);
  return own ? own[1]! : url;
}

/** `skipMs`: leave out the first milliseconds of the profile (start-up: module loading, migrations). */
export function summarizeProfile(file: string, top = 25, skipMs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const key = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return url === "" ? functionName || "(anonymous)" : `${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`;
  };

  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample; it belongs to the sample before.
    atUs += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (atUs < skipMs * 1000) continue;
    const node = byId.get(profile.samples[i]!)!;
    totalUs += us;
    if (node.callFrame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    self.set(key(node), (self.get(key(node)) ?? 0) + us);
    const p = packageOf(node.callFrame.url, node.callFrame.functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!;
      if (!/\/server\/(src|dist)\//.test(frame.callFrame.url)) continue;
      const k = key(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs;
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / busyUs }));
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    selfByFunction: rows(self, top),
    selfByPackage: rows(pkg, top),
    inclusivePosthorn: rows(inclusive, top),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines: string[] = [];
  lines.push(`profile: ${(summary.totalMs / 1000).toFixed(1)} s wall, ${(summary.busyMs / 1000).toFixed(1)} s busy (percentages are of busy time)`);
  const table = (title: string, rows: ProfileRow[]) => {
    lines.push("", title);
    for (const row of rows) lines.push(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}`);
  };
  table("self time by package", summary.selfByPackage);
  table("self time by function", summary.selfByFunction);
  table("inclusive time, Posthorn server code", summary.inclusivePosthorn);
  return lines.join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  console.log(formatProfile(summarizeProfile(file, Number(process.argv[3] ?? 25), Number(process.argv[4] ?? 0))));
}
