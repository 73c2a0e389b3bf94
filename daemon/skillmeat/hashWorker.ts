// Entry of dist/hashWorker.js: a worker thread that hashes whole trees (hashTreeSync) for the
// pool in hashWorkers.ts. It blocks on the file system freely: that is what it is for.
import { parentPort } from 'node:worker_threads';
import { hashTreeSync } from './contentHash';
import type { WorkerReply, WorkerRequest } from './hashWorkers';

const buf = Buffer.allocUnsafe(1024 * 1024);

parentPort?.on('message', (req: WorkerRequest) => {
  const replies: WorkerReply[] = req.jobs.map((job) => {
    try {
      const { list, hash } = hashTreeSync(job.path, buf);
      // `abs` is the job's path joined with `rel`: not sent back, a third less to copy
      return { id: job.id, hash, kind: list.kind, files: list.files.map(({ abs: _abs, ...rest }) => rest), dirs: list.dirs, rootIsLink: list.rootIsLink };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { id: job.id, error: { message: err.message, code: err.code, path: err.path, syscall: err.syscall, errno: err.errno } };
    }
  });
  parentPort!.postMessage(replies);
});
