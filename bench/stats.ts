/** The value a `fraction` of `values` lies below (0.5: the median, 0.9: the p90), as the benchmarks report them. */
export function percentile(values: readonly number[], fraction: number): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length * fraction)];
}
