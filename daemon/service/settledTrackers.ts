// SkillMeat rewrites tracker files in place (open "wb" + dump, not atomic), so a read can catch a
// truncated file: empty, cut mid-record, or cut between records. Reporting that as "no
// deployments" would make rows flap. A read that looks worse than the last good one (an error,
// or fewer records) while the file was modified a moment ago is deferred: the last good answer
// stays and the caller re-reads shortly.
import { promises as fsp } from 'node:fs';
import { findTrackerFiles, readTrackerFile, type TrackerFileResult, type TrackerSnapshot } from '../skillmeat';
import type { FolderState } from './folderState';

/** A file untouched for this long is taken as it is. */
export const SETTLE_MS = 300;
/**
 * Never defer longer than this in total: a file that stays broken is reported broken. A time, not
 * a count: under load many recomputations can fall inside one write, and a count would run out
 * while the file is still half written (seen in the soak as short bursts of empty answers).
 */
export const MAX_DEFER_MS = 3000;

export interface SettledRead {
  snapshot: TrackerSnapshot;
  /** some file looked mid-write: re-read after SETTLE_MS */
  unsettled: boolean;
}

async function modifiedAgo(file: string): Promise<number> {
  try {
    const st = await fsp.stat(file);
    return Date.now() - st.mtimeMs;
  } catch {
    return Infinity;
  }
}

function looksWorse(now: TrackerFileResult, good: TrackerFileResult): boolean {
  return Boolean(now.error) || now.records.length < good.records.length;
}

export async function readTrackersSettled(state: FolderState): Promise<SettledRead> {
  const files = await findTrackerFiles(state.folder);
  const results: TrackerFileResult[] = [];
  let unsettled = false;
  const present = new Set(files);
  const deferredFor = state.deferringSince === undefined ? 0 : Date.now() - state.deferringSince;
  for (const file of files) {
    const now = await readTrackerFile(file, state.folder);
    const good = state.lastGoodTracker.get(file);
    if (good && looksWorse(now, good)) {
      const age = await modifiedAgo(file);
      if (age < SETTLE_MS && deferredFor < MAX_DEFER_MS) {
        results.push(good);
        unsettled = true;
        continue;
      }
    }
    if (!now.error) state.lastGoodTracker.set(file, now);
    results.push(now);
  }
  // A tracker that vanished: SkillMeat deletes a profile's file when its last record goes, but a
  // writer may also be between unlink and create; a just-vanished file is given one settle period.
  for (const [file, good] of state.lastGoodTracker) {
    if (present.has(file)) continue;
    if (deferredFor < SETTLE_MS && good.records.length > 0) {
      results.push(good);
      unsettled = true;
    } else {
      state.lastGoodTracker.delete(file);
    }
  }
  if (unsettled) state.deferringSince ??= Date.now();
  else state.deferringSince = undefined;
  return { snapshot: { folder: state.folder, files: results }, unsettled };
}
