export type { ScanResult } from './scanResult';
export { formatTable, type TableOptions } from './table';
export { formatJson, type JsonLocation } from './json';
export { formatSarif, FINGERPRINT_KEY, SARIF_SCHEMA_URI } from './sarif';
export { formatHtml, fixFirstOrder, type HtmlOptions } from './html';
export { formatMarkdown, findingToMarkdown, type MarkdownOptions } from './markdown';
export { regionOf, relativePath, type Region, type LineIndexOf } from './common';
