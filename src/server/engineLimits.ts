import type { ResourceLimits } from 'worker_threads';

/**
 * The engine worker's heap: a young generation of 192 MB (semi-spaces of 64 MB). A re-analysis
 * allocates the model, the analyses and the findings anew, and with a worker's default young
 * generation most of that is copied by scavenges, then promoted and marked: on a 1 MB spec of 1,198
 * operations the median re-analysis takes 41–54 ms of CPU with it against 73–77 ms with a worker's
 * default (`bench --reanalysis`, 2026-12-07). The price: the first edit and the slowest tenth take
 * longer (p90 112–128 against 70–74 ms: a scavenge of the larger space copies more at once), and up to
 * about 90 MB more memory while large files are edited; the young generation grows only as needed.
 * The benchmarks run the editor's re-analysis in a worker with these limits too.
 */
export const ENGINE_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 192 };
