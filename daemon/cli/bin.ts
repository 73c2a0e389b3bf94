// `skillmeat-sync`, as installed (dist/cli.js). A `status` that its running daemon answers is
// handled here, before the CLI's bundle is even read (statusCommand.ts; ~6 ms of a warm command,
// issue 15). Anything else runs the CLI's bundle (dist/cliMain.js, built from main.ts) with a V8
// code cache in the state folder, so it is not compiled again (codeCache.ts). Only meaningful
// bundled: from sources, run main.ts itself.
import * as path from 'node:path';
import { defaultStateDir } from '../../shared/paths';
import { codeCachePath, loadBundle } from './codeCache';
import { exitWhenWritten, quietOnClosedPipe } from './exitWhenWritten';
import { warmStatus, type WarmStatus } from './statusCommand';

function fullCli(asked: WarmStatus): void {
  const bundle = path.join(__dirname, 'cliMain.js');
  (loadBundle(bundle, codeCachePath(defaultStateDir(), bundle)).exports as typeof import('./main')).main('asked' in asked ? { askedStatus: asked.asked } : {});
}

quietOnClosedPipe();
warmStatus(process.argv.slice(2)).then(
  (r) => ('code' in r ? exitWhenWritten(r.code) : fullCli(r)),
  (err: Error) => {
    // the daemon refused the request, or did not answer in time: as main.ts reports it
    process.stderr.write(`skillmeat-sync: ${err.message}\n`);
    exitWhenWritten(2);
  },
);
