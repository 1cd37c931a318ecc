package dev.toylora.runner.analysis;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Everything {@code runner analyze} measured, as {@code analysis.json} holds it: the tables, charts and docs
 * page are all drawn from this record (read back from the file), so what is shown is what is on disk. The file's
 * field names are snake_case: every record here (and Spectrum, WeightCorrelation, FullInSubspace, SubspaceSimilarity)
 * says so with {@code @JsonNaming}, since the shared {@link dev.toylora.runner.io.Json} mapper keeps Java's names.
 *
 * @param schema   {@link #SCHEMA}
 * @param sources  what was analysed
 * @param layers   per layer (fc1 … fcN): the four analyses
 * @param accuracy test accuracy of the full update truncated to each adapter rank, beside the adapters
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AnalysisResult(String schema, Sources sources, List<LayerResult> layers, Accuracies accuracy) {
    public static final String SCHEMA = "toylora.analysis/1";
    /** φ is summarised over the top this many directions of each side, as the issue and Fig. 3's zoom do. */
    public static final int TOP = 8;

    public AnalysisResult {
        layers = List.copyOf(layers);
    }

    /** The files analysed and the engine that evaluated them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Sources(String backend, String backendVersion, String dataset, String base, String baseWeightsSha256, String full,
                          List<Source> adapters, List<Pair> pairs) {
        public Sources {
            adapters = List.copyOf(adapters);
            pairs = List.copyOf(pairs);
        }
    }

    /** One adapter file: its name here, the experiment it records and its LoRA settings. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Source(String name, String file, String experiment, int rank, double alpha, double scaling, List<String> targets) {
        public Source {
            targets = List.copyOf(targets);
        }
    }

    /** Two adapters whose A matrices are compared (φ). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pair(String first, String second) {
        @Override
        public String toString() {
            return first + ":" + second;
        }
    }

    /**
     * One layer.
     *
     * @param weightNorm      ‖W‖_F of the base weight
     * @param full            the spectrum of the full fine-tune's update D = W_finetuned − W_base
     * @param fullCorrelation Table 7 for D at each adapter rank
     * @param adapters        each adapter that adapts this layer
     * @param similarity      φ for each pair whose adapters both adapt it
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LayerResult(String layer, int outputs, int inputs, double weightNorm, Spectrum full, List<WeightCorrelation> fullCorrelation,
                              List<AdapterLayer> adapters, List<PairSimilarity> similarity) {
        public LayerResult {
            fullCorrelation = List.copyOf(fullCorrelation);
            adapters = List.copyOf(adapters);
            similarity = List.copyOf(similarity);
        }
    }

    /**
     * One adapter on one layer.
     *
     * @param delta       the spectrum of its update s·B·A
     * @param correlation Table 7 for that update at the adapter's rank
     * @param full        how much of the full fine-tune's update lies in that update's subspaces
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AdapterLayer(String adapter, int rank, Spectrum delta, WeightCorrelation correlation, FullInSubspace full) {}

    /**
     * φ between the right singular vectors of two adapters' A on one layer (the paper's Fig. 3 and 4).
     *
     * @param randomMeanTop what {@code meanTop} is on average for random subspaces of the same sizes
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PairSimilarity(String first, String second, SubspaceSimilarity similarity, double phi11, double meanTop,
                                 double randomPhi11, double randomMeanTop) {}

    /** Test accuracy: the base, the full fine-tune, its update truncated to each rank, and each adapter. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Accuracies(Accuracy base, Accuracy full, List<Truncated> truncated, List<Trained> adapters) {
        public Accuracies {
            truncated = List.copyOf(truncated);
            adapters = List.copyOf(adapters);
        }
    }

    /** The base plus the full update's top-r SVD on every layer (with the fine-tuned biases). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Truncated(int rank, Accuracy accuracy) {}

    /** The base plus a LoRA adapter trained at that rank. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Trained(String adapter, int rank, Accuracy accuracy) {}

    /** Percent correct on the test set: all of it, the pretraining classes and the fine-tuning classes. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Accuracy(double overall, double old, @JsonProperty("new") double fresh) {}
}
