// Where the tests' reference data lives: inside the repository (test/fixtures/), so a clone from
// anywhere tests itself. test/unit/selfContained.test.ts fails if any source reaches outside it.
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
/** A real SkillMeat 0.9.1 home + project, two stages, with expected.json (see its README.md). */
export const BASIC_FIXTURE = path.join(FIXTURES_DIR, 'skillmeat-0.9.1-basic');
/** SkillMeat 0.9.1 content-hash vectors (see hash-vectors/README.md). */
export const HASH_VECTORS = path.join(FIXTURES_DIR, 'hash-vectors', 'vectors.json');
