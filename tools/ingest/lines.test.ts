import { LineTooLongError, MAX_LINE_CHARS, splitLines, type LineBatch } from './lines';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part);
}

async function collect(source: AsyncIterable<Buffer>): Promise<LineBatch[]> {
  const batches: LineBatch[] = [];
  for await (const batch of splitLines(source)) batches.push(batch);
  return batches;
}

describe('splitLines', () => {
  it('numbers lines across chunk boundaries, drops \\r of \\r\\n and keeps a last line without a break', async () => {
    const batches = await collect(chunks('a,1\r\nb,', '2\nc', ',3'));
    expect(batches.flatMap((batch) => batch.lines.map((line, i) => [batch.firstLineNo + i, line]))).toEqual([
      [1, 'a,1'],
      [2, 'b,2'],
      [3, 'c,3'],
    ]);
    expect(batches.at(-1)!.bytesRead).toBe(12);
  });

  it('keeps a character whose UTF-8 bytes are split between chunks', async () => {
    const bytes = Buffer.from('São Brás\n');
    const batches = await collect(chunks(bytes.subarray(0, 2), bytes.subarray(2)));
    expect(batches.flatMap((batch) => batch.lines)).toEqual(['São Brás']);
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(chunks())).toEqual([]);
  });

  it('refuses a line longer than any CSV line instead of buffering the whole source', async () => {
    const block = 'x'.repeat(64 * 1024);
    const endless = chunks(...Array.from({ length: MAX_LINE_CHARS / block.length + 1 }, () => block));
    await expect(collect(endless)).rejects.toThrow(LineTooLongError);
  });
});
