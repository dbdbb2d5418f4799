/**
 * Where reports go: `latest.json` and a dated copy in the results folder. A
 * quick run (make test) writes `latest-quick.json` instead, so it never
 * replaces the figures of the last full run.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchReport } from './report.js';

export function writeReport(report: BenchReport, resultsDir: string): { latest: string; dated: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.createdAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const kind = report.quick ? 'quick' : 'bench';
  const latest = path.join(resultsDir, report.quick ? 'latest-quick.json' : 'latest.json');
  const dated = path.join(resultsDir, `${kind}-${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeAtomically(dated, json);
  writeAtomically(latest, json);
  return { latest, dated };
}

// A reader (CI artefact upload, a dashboard) never sees half a file.
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
