import { open, rm, type FileHandle } from 'node:fs/promises';

/** Written out whenever this much is buffered: few writes, and memory that does not grow with the rejects. */
const FLUSH_CHARS = 1 << 16;

const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * `<input>.rejects.csv`: `line,reason,original line`, one row per rejected input line. The
 * file is created at the first reject, so a clean load leaves none; one from an earlier run is
 * removed at the start so that what is there always belongs to the last run.
 */
export class RejectFile {
  private handle: FileHandle | null = null;
  private buffer = '';
  count = 0;

  private constructor(readonly path: string) {}

  static async replacing(path: string): Promise<RejectFile> {
    await rm(path, { force: true });
    return new RejectFile(path);
  }

  async add(lineNo: number, reason: string, originalLine: string): Promise<void> {
    if (this.count === 0) this.buffer = 'line,reason,original line\n';
    this.count++;
    this.buffer += `${lineNo},${csvField(reason)},${csvField(originalLine)}\n`;
    if (this.buffer.length >= FLUSH_CHARS) await this.flush();
  }

  /** Writes what is buffered and closes the file; the path, or null when nothing was rejected. */
  async close(): Promise<string | null> {
    await this.flush();
    await this.handle?.close();
    this.handle = null;
    return this.count > 0 ? this.path : null;
  }

  /** For a load that failed: its rejects would describe data that was never written. */
  async discard(): Promise<void> {
    this.buffer = '';
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    await rm(this.path, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.handle ??= await open(this.path, 'w');
    await this.handle.write(this.buffer);
    this.buffer = '';
  }
}
