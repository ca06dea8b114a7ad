// Keeps what was parsed between two scans of the same workspace, keyed by file and exact text, so that
// re-analysis after an edit parses only the files whose text changed.
export class ParseCache {
  private readonly entries = new Map<string, { text: string; value: unknown }>();
  private readonly usedThisScan = new Set<string>();
  private readonly kinds = new Set<string>();

  /**
   * The value computed from `text` for `file` under `kind`, computed again only when the text changed;
   * `compute` then gets the value of the file's previous text, to reuse what the edit left alone.
   */
  get<T>(kind: string, file: string, text: string, compute: (previous?: T) => T): T {
    const key = `${kind}\u0000${file}`;
    this.kinds.add(kind);
    this.usedThisScan.add(key);
    const entry = this.entries.get(key);
    if (entry && entry.text === text) return entry.value as T;
    const value = compute(entry?.value as T | undefined);
    this.entries.set(key, { text, value });
    return value;
  }

  /** Keeps the entries of `files` as if this scan had asked for them: it reused what was made of them (analysisMemo.ts). */
  keep(files: Iterable<string>): void {
    for (const file of files) for (const kind of this.kinds) if (this.entries.has(`${kind}\u0000${file}`)) this.usedThisScan.add(`${kind}\u0000${file}`);
  }

  /** Forgets the entries no scan asked for since the previous call (deleted, renamed or excluded files). */
  prune(): void {
    for (const key of this.entries.keys()) if (!this.usedThisScan.has(key)) this.entries.delete(key);
    this.usedThisScan.clear();
  }
}
