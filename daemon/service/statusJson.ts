// The status answer as bytes, made once per change rather than once per request (issue 15):
// - statusToJson: the `status` answer as JSON parts, reusing each folder's serialised rows while
//   they are the same object (rows are never mutated once computed). Same content and key order as
//   JSON.stringify of the answer, so the daemon's spliced reply is byte-identical to the
//   in-process one.
// - StatusTexts: the `statusText` answer (the CLI's output, rendered here), kept while the answer
//   it was made from is the same: a warm CLI `status` is then a copy of bytes on both sides.
import type { StatusTextResult } from '../../shared/protocol';
import type { StatusResult, StatusTextFormat, WorkspaceStatus } from '../../shared/types';
import { renderStatus, summarize } from '../cli/format';

const serializedRows = new WeakMap<WorkspaceStatus, Buffer>();
const RAW_PLACEHOLDER = '__skillmeat_sync_raw_workspaces__';
const COMMA = Buffer.from(',');

function rowsJson(ws: WorkspaceStatus): Buffer {
  let json = serializedRows.get(ws);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(ws), 'utf8');
    serializedRows.set(ws, json);
  }
  return json;
}

/** The answer's JSON as parts that, concatenated, are JSON.stringify(result) in UTF-8. */
export function statusToJson(result: StatusResult): Buffer[] {
  const head = JSON.stringify(result, (key, value) => (key === 'workspaces' && value === result.workspaces ? RAW_PLACEHOLDER : value));
  // The placeholder can only appear as this exact quoted token: inside any other string its
  // quotes would be escaped.
  const at = head.indexOf(`"${RAW_PLACEHOLDER}"`);
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, at)}[`, 'utf8')];
  result.workspaces.forEach((ws, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(rowsJson(ws));
  });
  parts.push(Buffer.from(`]${head.slice(at + RAW_PLACEHOLDER.length + 2)}`, 'utf8'));
  return parts;
}

/** What an answer's text depends on; rows are compared by identity (see statusToJson). */
function identity(result: StatusResult): unknown[] {
  return [result.home, result.homeExists, result.activeCollection, result.warnings?.length ?? -1, ...(result.warnings ?? []), ...result.workspaces];
}

function sameIdentity(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A `statusText` answer: the response's JSON, and with `attachText` the text's bytes to send after it. */
export interface StatusTextAnswer {
  json: Buffer;
  attachment?: Buffer;
}

interface Kept {
  identity: unknown[];
  summary: Omit<StatusTextResult, 'text' | 'textBytes'>;
  text: Buffer;
  /** the answer with the text inside, made when first asked for */
  inline?: Buffer;
}

/**
 * The last `statusText` answer per format. One each: a second client asking for other folders only
 * makes its own answer anew, and a megabyte per format is the bound.
 */
export class StatusTexts {
  private readonly last = new Map<StatusTextFormat, Kept>();
  hits = 0;
  misses = 0;

  answer(result: StatusResult, format: StatusTextFormat, attachText: boolean): StatusTextAnswer {
    const kept = this.kept(result, format);
    if (attachText) return { json: Buffer.from(JSON.stringify({ ...kept.summary, textBytes: kept.text.length }), 'utf8'), attachment: kept.text };
    kept.inline ??= Buffer.from(JSON.stringify({ ...kept.summary, text: kept.text.toString('utf8') }), 'utf8');
    return { json: kept.inline };
  }

  private kept(result: StatusResult, format: StatusTextFormat): Kept {
    const id = identity(result);
    const kept = this.last.get(format);
    if (kept && sameIdentity(kept.identity, id)) {
      this.hits++;
      return kept;
    }
    this.misses++;
    const { text, ...summary } = statusText(result, format);
    const fresh: Kept = { identity: id, summary, text: Buffer.from(text ?? '', 'utf8') };
    this.last.set(format, fresh);
    return fresh;
  }
}

export function statusText(result: StatusResult, format: StatusTextFormat): StatusTextResult {
  const s = summarize(result);
  const out: StatusTextResult = { home: result.home, homeExists: result.homeExists, total: s.total, notSynced: s.notSynced };
  if (result.warnings?.length) out.warnings = [...result.warnings];
  out.text = renderStatus(result, format);
  return out;
}
