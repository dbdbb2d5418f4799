/**
 * Turns a burst of file events into one batch. Editors write a file in
 * several steps (truncate then write, or write a temporary file and rename
 * it), and formatters save again a moment later: the batch closes once no
 * event came for `quietMs`, or `maxWaitMs` after its first event, whichever
 * is first. The first event's time is the save the reload is timed from.
 */

export interface SaveBatch {
  /** Project-relative paths, in the order first seen. */
  files: string[];
  /** performance.now() of the first event of the burst. */
  firstSavedAt: number;
}

export interface SaveBatcherOptions {
  quietMs: number;
  maxWaitMs: number;
  onBatch: (batch: SaveBatch) => void;
}

export class SaveBatcher {
  private files = new Set<string>();
  private firstSavedAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SaveBatcherOptions) {}

  add(file: string, at = performance.now()): void {
    if (this.files.size === 0) {
      this.firstSavedAt = at;
      this.maxTimer = setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
    this.files.add(file);
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.options.quietMs);
  }

  /** Drops what is pending (the watch is closing). */
  cancel(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.files.clear();
  }

  private flush(): void {
    const batch: SaveBatch = { files: [...this.files], firstSavedAt: this.firstSavedAt };
    this.cancel();
    if (batch.files.length > 0) this.options.onBatch(batch);
  }
}
