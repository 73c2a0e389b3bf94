// Is this folder a SkillMeat home at all? A cheap look (a few stat calls, no parsing), so that a
// client can refuse to start a 60 MB daemon — and the CLI can exit 2 at once — for a path that is
// a typo, the parent of `.skillmeat`, or an empty folder. The engine's own readers stay the judge
// of what a home contains; this only says whether there is one to read.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type HomeProblem = 'missing' | 'not-a-folder' | 'not-a-home';

export type HomeCheck = { ok: true } | { ok: false; problem: HomeProblem; message: string };

/** What SkillMeat itself creates on `skillmeat init`: at least one of the two is always there. */
const MARKERS = ['config.toml', 'collections'] as const;

function kind(p: string): 'dir' | 'file' | undefined {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

function looksLikeHome(dir: string): boolean {
  return kind(path.join(dir, 'config.toml')) === 'file' || kind(path.join(dir, 'collections')) === 'dir';
}

export function checkHome(home: string): HomeCheck {
  const k = kind(home);
  if (k === undefined) return { ok: false, problem: 'missing', message: `no SkillMeat home at ${home}` };
  if (k === 'file') return { ok: false, problem: 'not-a-folder', message: `the SkillMeat home ${home} is not a folder` };
  if (looksLikeHome(home)) return { ok: true };
  // The most common slip: the folder that holds `.skillmeat` (the user's home, a fixture's `home/`).
  const child = path.join(home, '.skillmeat');
  const hint = kind(child) === 'dir' ? `; did you mean ${child}?` : '';
  return {
    ok: false,
    problem: 'not-a-home',
    message: `${home} is not a SkillMeat home (no ${MARKERS[0]}, no ${MARKERS[1]}/)${hint}`,
  };
}
