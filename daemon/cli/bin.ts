// `skillmeat-sync`, as installed (dist/cli.js): runs the CLI's bundle (dist/cliMain.js, built from
// main.ts) with a V8 code cache in the state folder, so a warm command does not compile the bundle
// again (codeCache.ts, issue 15). Only meaningful bundled: from sources, run main.ts itself.
import * as path from 'node:path';
import { defaultStateDir } from '../../shared/paths';
import { codeCachePath, loadBundle } from './codeCache';

const bundle = path.join(__dirname, 'cliMain.js');
(loadBundle(bundle, codeCachePath(defaultStateDir(), bundle)).exports as typeof import('./main')).main();
