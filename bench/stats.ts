/** The middle value of `xs` (the upper middle for an even count); `xs` is not modified. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no values");
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
