import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Consecutive lines of a source, as one chunk of it held them. */
export interface LineBatch {
  /** 1-based number of `lines[0]` in the source. */
  firstLineNo: number;
  lines: string[];
  /** Bytes consumed from the source so far, for progress. */
  bytesRead: number;
}

/**
 * A CSV line never comes near this; a source without line breaks (a binary file, a wrong
 * format) would otherwise grow the partial line to the size of the whole file.
 */
export const MAX_LINE_CHARS = 1 << 20;

export class LineTooLongError extends Error {}

/**
 * Splits a byte stream into lines, one chunk at a time: memory holds one chunk and the partial
 * line at its end, however long the source. Lines end in \n or \r\n; a last line without a
 * break still counts, an empty source yields nothing.
 */
export async function* splitLines(source: AsyncIterable<Buffer>): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let nextLineNo = 1;
  let bytesRead = 0;
  for await (const chunk of source) {
    bytesRead += chunk.length;
    const lines = (partial + decoder.write(chunk)).split('\n');
    partial = lines.pop()!;
    if (partial.length > MAX_LINE_CHARS) throw new LineTooLongError(`line ${nextLineNo + lines.length} is longer than ${MAX_LINE_CHARS} characters`);
    if (lines.length === 0) continue;
    for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
    yield { firstLineNo: nextLineNo, lines, bytesRead };
    nextLineNo += lines.length;
  }
  const last = partial + decoder.end();
  if (last.length > 0) yield { firstLineNo: nextLineNo, lines: [last.endsWith('\r') ? last.slice(0, -1) : last], bytesRead };
}

/** Large reads: the per-chunk work (a split, a COPY write) is then amortised over ~20,000 lines. */
const FILE_CHUNK_BYTES = 1 << 20;

export function readFileLines(file: string): AsyncGenerator<LineBatch> {
  return splitLines(createReadStream(file, { highWaterMark: FILE_CHUNK_BYTES }) as AsyncIterable<Buffer>);
}

/** One line at a time, numbered: for walking a file alongside another ordered stream. */
export async function* numberedLines(batches: AsyncIterable<LineBatch>): AsyncGenerator<{ lineNo: number; line: string }> {
  for await (const batch of batches) {
    for (let i = 0; i < batch.lines.length; i++) yield { lineNo: batch.firstLineNo + i, line: batch.lines[i]! };
  }
}
