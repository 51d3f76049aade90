import com.amazon.randomcutforest.RandomCutForest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Streaming score+update throughput of AWS's Java RCF on the same shingled points as the
 * TypeScript benchmark: args = input file (one value per line), trees, samples, shingle, seed.
 * Prints "points_per_second=<x> mean_score=<y>".
 */
public class RcfBench {
  public static void main(String[] args) throws Exception {
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    int trees = Integer.parseInt(args[1]);
    int samples = Integer.parseInt(args[2]);
    int shingle = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    double[] values = lines.stream().mapToDouble(Double::parseDouble).toArray();
    RandomCutForest forest = RandomCutForest.builder()
        .numberOfTrees(trees).sampleSize(samples).dimensions(shingle)
        .randomSeed(seed).timeDecay(1e-5).parallelExecutionEnabled(false).build();
    double[] point = new double[shingle];
    // Warm-up on the first fifth (JIT), then time the rest.
    int warm = values.length / 5;
    double sum = 0;
    long t0 = 0;
    for (int i = shingle - 1; i < values.length; i++) {
      if (i == warm) t0 = System.nanoTime();
      for (int d = 0; d < shingle; d++) point[d] = values[i - shingle + 1 + d];
      double s = forest.getAnomalyScore(point);
      forest.update(point);
      if (i >= warm) sum += s;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    int n = values.length - warm;
    System.out.printf("points_per_second=%.1f mean_score=%.4f%n", n / secs, sum / n);
  }
}
