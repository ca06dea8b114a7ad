/** A half-open range of UTF-16 offsets into a file's text, as JavaScript strings index it. */
export interface Span {
  start: number;
  end: number;
}

/** Zero-based line and character, as VS Code and LSP count them. */
export interface Position {
  line: number;
  character: number;
}

export interface SourceLocation {
  /** Absolute path of the file. */
  file: string;
  span: Span;
}

/** Converts offsets to line/character and back; built once per text, lazily by callers. */
export class LineIndex {
  /**
   * In a typed array: off the garbage-collected heap, which a large file's hundreds of thousands of
   * lines would otherwise fill, copied at each growth and again by each collection. (A string's
   * offsets fit in 32 bits.)
   */
  private readonly lineStarts: Uint32Array;

  constructor(private readonly text: string) {
    let starts = new Uint32Array(256);
    let count = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      if (count === starts.length) {
        const grown = new Uint32Array(2 * count);
        grown.set(starts);
        starts = grown;
      }
      starts[count++] = i + 1;
    }
    this.lineStarts = starts.subarray(0, count);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[Math.max(0, position.line)];
    const nextLineStart = position.line + 1 < this.lineStarts.length ? this.lineStarts[position.line + 1] : this.text.length;
    return Math.min(lineStart + Math.max(0, position.character), nextLineStart);
  }
}

export interface TextEdit {
  span: Span;
  newText: string;
}

/** Edits to one file; `create` means the file does not exist yet and `edits` hold its whole text at span 0..0. */
export interface FileEdit {
  file: string;
  create?: boolean;
  edits: TextEdit[];
}
