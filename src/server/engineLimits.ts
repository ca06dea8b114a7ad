import type { ResourceLimits } from 'worker_threads';

/**
 * The engine worker's heap: a young generation of 192 MB (semi-spaces of 64 MB). A re-analysis
 * allocates the model, the analyses and the findings anew, and with a worker's default young
 * generation most of that is copied by scavenges, then promoted and marked: on a 1 MB spec of 1,198
 * operations the median re-analysis took twice the CPU (about 105 against 45 ms). The price is up to
 * about 90 MB more memory while large files are edited; the young generation grows only as needed.
 * The benchmarks run the editor's re-analysis in a worker with these limits too.
 */
export const ENGINE_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 192 };
