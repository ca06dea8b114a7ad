// Keeps what was parsed between two scans of the same workspace, keyed by file and exact text, so that
// re-analysis after an edit parses only the files whose text changed.
export class ParseCache {
  /** By file, then by kind. */
  private readonly entries = new Map<string, Map<string, { text: string; value: unknown }>>();
  /** The kinds of each file this scan asked for. */
  private readonly usedThisScan = new Map<string, Set<string>>();
  /** Files all of whose entries this scan keeps (`keep`): one set entry per file, as an edit's re-analysis keeps thousands. */
  private readonly keptThisScan = new Set<string>();

  /**
   * The value computed from `text` for `file` under `kind`, computed again only when the text changed;
   * `compute` then gets the value of the file's previous text, to reuse what the edit left alone.
   */
  get<T>(kind: string, file: string, text: string, compute: (previous?: T) => T): T {
    let used = this.usedThisScan.get(file);
    if (!used) this.usedThisScan.set(file, (used = new Set()));
    used.add(kind);
    let ofFile = this.entries.get(file);
    if (!ofFile) this.entries.set(file, (ofFile = new Map()));
    const entry = ofFile.get(kind);
    if (entry && entry.text === text) return entry.value as T;
    const value = compute(entry?.value as T | undefined);
    ofFile.set(kind, { text, value });
    return value;
  }

  /** Keeps the entries of `files` as if this scan had asked for them: it reused what was made of them (analysisMemo.ts). */
  keep(files: Iterable<string>): void {
    for (const file of files) this.keptThisScan.add(file);
  }

  /** Forgets the entries no scan asked for since the previous call (deleted, renamed or excluded files). */
  prune(): void {
    for (const [file, ofFile] of this.entries) {
      if (this.keptThisScan.has(file)) continue;
      const used = this.usedThisScan.get(file);
      for (const kind of ofFile.keys()) if (!used?.has(kind)) ofFile.delete(kind);
      if (ofFile.size === 0) this.entries.delete(file);
    }
    this.usedThisScan.clear();
    this.keptThisScan.clear();
  }
}
