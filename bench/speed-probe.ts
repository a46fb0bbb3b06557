/**
 * The same fixed JavaScript loop every run (best of three, ms): this shared machine's speed changes from
 * hour to hour (the same code did 10k and 3.7k single sends a second on two days), so a result can only
 * be compared with another one taken at about the same probe time, or as a ratio within one run.
 */
export function speedProbeMs(): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 100_000_000; i++) x = (x + i) % 1_000_003;
    best = Math.min(best, performance.now() - t0);
    if (x < 0) console.log(x); // keeps the loop from being optimised away
  }
  return Math.round(best);
}
