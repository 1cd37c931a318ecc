package dev.toylora.runner.analysis;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.Backend;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.runner.analysis.AnalysisResult.Accuracies;
import dev.toylora.runner.analysis.AnalysisResult.Accuracy;
import dev.toylora.runner.analysis.AnalysisResult.AdapterLayer;
import dev.toylora.runner.analysis.AnalysisResult.LayerResult;
import dev.toylora.runner.analysis.AnalysisResult.Pair;
import dev.toylora.runner.analysis.AnalysisResult.PairSimilarity;
import dev.toylora.runner.analysis.AnalysisResult.Trained;
import dev.toylora.runner.analysis.AnalysisResult.Truncated;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.Evaluator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.ojalgo.matrix.store.MatrixStore;

/**
 * Runs the four analyses on a base, its full fine-tune and LoRA adapters of it (checked beforehand to belong to the
 * base and to fit it). Every SVD is taken once per matrix and shared by the analyses that need it.
 */
public final class Analyzer {
    private final NetworkSpec spec;
    private final Map<String, Tensor> base;
    private final Map<String, Tensor> full;
    private final List<AdapterInput> adapters;
    private final List<Pair> pairs;
    /** The full update's SVD per layer, taken once for its spectrum and again truncated for its accuracy. */
    private final Map<String, Svd> fullSvds = new LinkedHashMap<>();

    /**
     * @param base     the base's weights and biases ({@code fc1.weight} [out, in], …)
     * @param full     the full fine-tune's, same names and shapes
     * @param adapters adapters of that base
     * @param pairs    pairs of adapter names whose A matrices to compare
     */
    public Analyzer(NetworkSpec spec, Map<String, Tensor> base, Map<String, Tensor> full, List<AdapterInput> adapters, List<Pair> pairs) {
        this.spec = spec;
        this.base = Map.copyOf(base);
        this.full = Map.copyOf(full);
        this.adapters = List.copyOf(adapters);
        this.pairs = List.copyOf(pairs);
    }

    /** The distinct adapter ranks, ascending: where the full update is truncated and Table 7 is taken for it. */
    public List<Integer> ranks() {
        return List.copyOf(new TreeSet<>(adapters.stream().map(AdapterInput::rank).toList()));
    }

    public List<LayerResult> layers() {
        List<LayerResult> layers = new ArrayList<>();
        for (NetworkSpec.LayerShape shape : spec.layerShapes()) layers.add(layer(shape));
        return layers;
    }

    private LayerResult layer(NetworkSpec.LayerShape shape) {
        String name = shape.name();
        MatrixStore<Double> weight = Svd.matrix(base.get(name + ".weight"));
        MatrixStore<Double> update = update(name);
        Svd ofWeight = Svd.of(weight);
        Svd ofUpdate = fullSvd(name);
        Spectrum fullSpectrum = Spectrum.of(ofUpdate);

        List<WeightCorrelation> fullCorrelation = new ArrayList<>();
        for (int r : ranks()) fullCorrelation.add(WeightCorrelation.of(weight, ofWeight, ofUpdate, r));

        List<AdapterLayer> adapterLayers = new ArrayList<>();
        for (AdapterInput adapter : adapters) {
            if (!adapter.adapts(name)) continue;
            MatrixStore<Double> delta = adapter.delta(name);
            Svd ofDelta = Svd.of(delta);
            adapterLayers.add(new AdapterLayer(adapter.name(), adapter.rank(), Spectrum.of(ofDelta),
                    WeightCorrelation.of(weight, ofWeight, ofDelta, adapter.rank()), FullInSubspace.of(update, fullSpectrum, delta, ofDelta)));
        }

        List<PairSimilarity> similarity = new ArrayList<>();
        for (Pair pair : pairs) {
            AdapterInput first = adapter(pair.first()), second = adapter(pair.second());
            if (!first.adapts(name) || !second.adapts(name)) continue;
            // The paper compares the right singular vectors of A [r, in]: the input directions each adapter reads.
            SubspaceSimilarity phi = SubspaceSimilarity.of(Svd.of(first.a(name)).v(), Svd.of(second.a(name)).v());
            similarity.add(new PairSimilarity(pair.first(), pair.second(), phi, phi.at(1, 1), phi.meanTop(AnalysisResult.TOP),
                    SubspaceSimilarity.random(1, 1, phi.dimension()), phi.randomMeanTop(AnalysisResult.TOP)));
        }
        return new LayerResult(name, shape.outputs(), shape.inputs(), ofWeight.frobenius(), fullSpectrum, fullCorrelation, adapterLayers, similarity);
    }

    /** The full fine-tune's update D = W_finetuned − W_base of a layer. */
    private MatrixStore<Double> update(String layer) {
        return Svd.matrix(full.get(layer + ".weight")).subtract(Svd.matrix(base.get(layer + ".weight"))).copy();
    }

    private Svd fullSvd(String layer) {
        return fullSvds.computeIfAbsent(layer, l -> Svd.of(update(l)));
    }

    private AdapterInput adapter(String name) {
        return adapters.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no adapter named '" + name + "'"));
    }

    /**
     * Test accuracy of the base, the full fine-tune, the base plus the full update truncated to each adapter rank
     * (an adapter built from the SVD: B = U_r·diag(σ_r), A = V_rᵀ, scaling 1, the fine-tuned biases), and the base
     * plus each adapter.
     */
    public Accuracies accuracy(Backend backend, Dataset test, List<Integer> oldClasses, List<Integer> newClasses) {
        Network network = backend.restore(spec, base);
        AdapterSet set = new AdapterSet(network);
        for (AdapterInput adapter : adapters) set.add(adapter.name(), adapter.spec(), adapter.tensors());
        String prefix = "full-update@";
        for (int r : ranks()) set.add(prefix + r, truncatedSpec(r), truncated(r));

        set.disable();
        Accuracy baseAccuracy = accuracy(Evaluator.evaluate(network, test), oldClasses, newClasses);
        Accuracy fullAccuracy = accuracy(Evaluator.evaluate(backend.restore(spec, full), test), oldClasses, newClasses);
        List<Truncated> truncated = new ArrayList<>();
        for (int r : ranks()) {
            set.use(prefix + r);
            truncated.add(new Truncated(r, accuracy(Evaluator.evaluate(network, test), oldClasses, newClasses)));
        }
        List<Trained> trained = new ArrayList<>();
        for (AdapterInput adapter : adapters) {
            set.use(adapter.name());
            trained.add(new Trained(adapter.name(), adapter.rank(), accuracy(Evaluator.evaluate(network, test), oldClasses, newClasses)));
        }
        set.disable();
        return new Accuracies(baseAccuracy, fullAccuracy, truncated, trained);
    }

    private LoraSpec truncatedSpec(int rank) {
        return new LoraSpec(rank, rank, spec.layerNames(), true, 0, false); // alpha = r: scaling 1, B carries σ
    }

    /** The full update's top-r SVD as adapter tensors; a layer of lower rank gets zero rows of A and columns of B. */
    Map<String, Tensor> truncated(int rank) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (NetworkSpec.LayerShape shape : spec.layerShapes()) {
            String name = shape.name();
            Svd svd = fullSvd(name);
            int kept = Math.min(rank, svd.numericalRank());
            float[] a = new float[rank * shape.inputs()];
            float[] b = new float[shape.outputs() * rank];
            for (int k = 0; k < kept; k++) {
                for (int col = 0; col < shape.inputs(); col++) a[k * shape.inputs() + col] = (float) svd.v().doubleValue(col, k);
                for (int row = 0; row < shape.outputs(); row++) b[row * rank + k] = (float) (svd.values()[k] * svd.u().doubleValue(row, k));
            }
            tensors.put(LoraSpec.nameOfA(name), new Tensor(LoraSpec.shapeOfA(rank, shape.inputs()), a));
            tensors.put(LoraSpec.nameOfB(name), new Tensor(LoraSpec.shapeOfB(rank, shape.outputs()), b));
            tensors.put(name + ".bias", full.get(name + ".bias"));
        }
        return tensors;
    }

    static Accuracy accuracy(ClassAccuracy accuracy, List<Integer> oldClasses, List<Integer> newClasses) {
        return new Accuracy(accuracy.overall(), accuracy.group(oldClasses), accuracy.group(newClasses));
    }
}
