// The daemon's log: one file per home in the state folder, appended synchronously so that the last
// lines before a crash are on disk. Every line is redacted (shared/redact.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { redact } from '../shared/redact';

import type { LogLevel } from '../shared/settings';
import type { Logger } from './cache/logger';

export type { LogLevel, Logger };
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Rotate once the file passes this size, keeping one previous file. */
const MAX_LOG_BYTES = 5 * 1024 * 1024;

export class FileLogger implements Logger {
  private fd: number | undefined;
  private written = 0;
  level: LogLevel;

  constructor(
    readonly file: string | undefined,
    level: LogLevel = 'info',
    private readonly echo?: (line: string) => void,
  ) {
    this.level = level;
    if (file) this.open(file);
  }

  private open(file: string): void {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.fd = fs.openSync(file, 'a', 0o600);
      this.written = fs.fstatSync(this.fd).size;
    } catch (err) {
      this.fd = undefined;
      this.echo?.(`cannot open log file ${file}: ${(err as Error).message}`);
    }
  }

  private rotate(): void {
    if (!this.file || this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
      fs.renameSync(this.file, `${this.file}.1`);
    } catch {
      // keep logging into whatever we can open
    }
    this.open(this.file);
  }

  write(level: LogLevel, message: string): void {
    if (ORDER[level] > ORDER[this.level]) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${redact(message)}\n`;
    this.echo?.(line.trimEnd());
    if (this.fd === undefined) return;
    try {
      fs.writeSync(this.fd, line);
      this.written += Buffer.byteLength(line);
      if (this.written > MAX_LOG_BYTES) this.rotate();
    } catch {
      // a full disk must not take the daemon down
    }
  }

  debug(m: string): void { this.write('debug', m); }
  info(m: string): void { this.write('info', m); }
  warn(m: string): void { this.write('warn', m); }
  error(m: string): void { this.write('error', m); }

  close(): void {
    if (this.fd !== undefined) {
      try { fs.closeSync(this.fd); } catch { /* already closed */ }
      this.fd = undefined;
    }
  }
}
