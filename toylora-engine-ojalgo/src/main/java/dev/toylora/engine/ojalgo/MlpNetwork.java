package dev.toylora.engine.ojalgo;

import dev.toylora.engine.common.BufferCache;
import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.Layer;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/** The MLP: fc1 … fcN, with at most one LoRA adapter. */
final class MlpNetwork implements Network {
    /** Eval batches larger than this run in slices of it, so that evaluating a whole test set needs no giant buffers. */
    private static final int EVAL_SLICE = 512;

    private final NetworkSpec spec;
    private final List<DenseLayer> layers;
    private final @Nullable LoraBranch[] noBranches;
    private final ForwardPass evalForward;
    private final BufferCache<BatchBuffers> evalBuffers;
    private @Nullable LoraAdapter adapter;
    /** Changes whenever an adapter is attached or detached, so that trainers can tell they are stale. */
    private long configuration;

    private MlpNetwork(NetworkSpec spec) {
        this.spec = spec;
        List<DenseLayer> made = new ArrayList<>();
        for (NetworkSpec.LayerShape shape : spec.layerShapes()) {
            made.add(new DenseLayer(shape.name(), shape.inputs(), shape.outputs(), () -> adapter != null));
        }
        this.layers = List.copyOf(made);
        this.noBranches = new LoraBranch[layers.size()];
        this.evalForward = new ForwardPass(layers, spec.dropout());
        this.evalBuffers = new BufferCache<>(rows -> new BatchBuffers(rows, layers, adapterBranches(), null, false));
    }

    /** Weights and biases drawn as PyTorch's nn.Linear draws them, layer by layer, from one seeded stream. */
    static MlpNetwork initialised(NetworkSpec spec, long seed) {
        MlpNetwork network = new MlpNetwork(spec);
        SplittableRandom random = new SplittableRandom(seed);
        for (DenseLayer layer : network.layers) layer.initialise(random);
        return network;
    }

    /** A network with the given weights, checked name by name and shape by shape. */
    static MlpNetwork restored(NetworkSpec spec, Map<String, Tensor> weights) {
        MlpNetwork network = new MlpNetwork(spec);
        List<Parameter> parameters = network.baseParameters();
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Parameter parameter : parameters) expected.put(parameter.name(), parameter.shape());
        Tensors.checkNamesAndShapes("the network " + describe(spec), expected, weights);
        for (Parameter parameter : parameters) parameter.load(weights.get(parameter.name()));
        return network;
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    @Override
    public long parameterCount() {
        return spec.parameterCount();
    }

    @Override
    public long trainableParameterCount() {
        return adapter != null ? adapter.trainableParameters() : spec.parameterCount();
    }

    @Override
    public Adapter attach(LoraSpec loraSpec, long seed) {
        LoraAdapter attached = adapter;
        if (attached != null) {
            throw new IllegalStateException("an adapter is already attached (" + attached + "); detach() it before attaching another");
        }
        LoraAdapter made = new LoraAdapter(loraSpec, spec, layers, seed);
        adapter = made;
        changed();
        return made;
    }

    @Override
    public Optional<Adapter> adapter() {
        return Optional.ofNullable(adapter);
    }

    @Override
    public void detach() {
        LoraAdapter attached = adapter;
        if (attached == null) throw new IllegalStateException("no adapter is attached");
        attached.detach();
        adapter = null;
        changed();
    }

    @Override
    public Trainer trainer(OptimizerSpec optimizer, long seed) {
        return new MlpTrainer(this, optimizer, seed);
    }

    @Override
    public void logits(Batch batch, float[] out) {
        int classes = spec.outputs();
        checkColumns(batch);
        if (out.length < (long) batch.rows() * classes) {
            throw new IllegalArgumentException("out holds " + out.length + " values, " + batch.rows() + " rows of " + classes + " logits need " + (long) batch.rows() * classes);
        }
        for (int first = 0; first < batch.rows(); first += EVAL_SLICE) {
            int rows = Math.min(EVAL_SLICE, batch.rows() - first);
            float[][] logitsT = evalLogitsT(batch.features(), first, rows, batch.columns());
            for (int j = 0; j < classes; j++) {
                float[] z = logitsT[j];
                for (int i = 0; i < rows; i++) out[(first + i) * classes + j] = z[i];
            }
        }
    }

    /** Eval-mode mean cross-entropy, accumulated in double (for tests: finite differences). */
    double loss(Batch batch) {
        checkColumns(batch);
        double total = 0;
        for (int first = 0; first < batch.rows(); first += EVAL_SLICE) {
            int rows = Math.min(EVAL_SLICE, batch.rows() - first);
            float[][] logitsT = evalLogitsT(batch.features(), first, rows, batch.columns());
            int[] labels = java.util.Arrays.copyOfRange(batch.labels(), first, first + rows);
            total += SoftmaxCrossEntropy.loss(logitsT, labels) * rows;
        }
        return total / batch.rows();
    }

    /** The logits of {@code rows} rows from {@code first}, transposed: {@code [classes][rows]}. */
    private float[][] evalLogitsT(float[] features, int first, int rows, int columns) {
        BatchBuffers buffers = evalBuffers.forRows(rows);
        buffers.loadInput(features, first, columns);
        evalForward.run(buffers, activeBranches(), null);
        return buffers.last().zT;
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Parameter parameter : baseParameters()) weights.put(parameter.name(), parameter.snapshot());
        return weights;
    }

    /** fc1.weight, fc1.bias, …, live. */
    List<Parameter> baseParameters() {
        List<Parameter> parameters = new ArrayList<>();
        for (DenseLayer layer : layers) {
            parameters.add(layer.weightParameter());
            parameters.add(layer.biasParameter());
        }
        return parameters;
    }

    /** Every parameter by name, live (base, then the adapter's A and B): for tests that nudge one value. */
    Map<String, float[][]> liveParameters() {
        Map<String, float[][]> live = new LinkedHashMap<>();
        for (Parameter parameter : baseParameters()) live.put(parameter.name(), parameter.rows());
        LoraAdapter attached = adapter;
        if (attached != null) {
            for (Parameter parameter : attached.parameters()) live.put(parameter.name(), parameter.rows());
        }
        return live;
    }

    List<DenseLayer> denseLayers() {
        return layers;
    }

    @Nullable LoraAdapter attachedAdapter() {
        return adapter;
    }

    long configuration() {
        return configuration;
    }

    void checkColumns(Batch batch) {
        if (batch.columns() != spec.inputs()) {
            throw new IllegalArgumentException("batch has " + batch.columns() + " columns, the network takes " + spec.inputs() + " inputs");
        }
    }

    /** The branches eval mode computes: none while merged, since W carries them then. */
    private @Nullable LoraBranch[] activeBranches() {
        LoraAdapter attached = adapter;
        return attached == null || attached.merged() ? noBranches : attached.branchesByLayer();
    }

    /** The adapter's branches whether merged or not (buffers must fit either state). */
    private @Nullable LoraBranch[] adapterBranches() {
        LoraAdapter attached = adapter;
        return attached == null ? noBranches : attached.branchesByLayer();
    }

    private void changed() {
        configuration++;
        evalBuffers.clear();
    }

    private static String describe(NetworkSpec spec) {
        StringBuilder shape = new StringBuilder().append(spec.inputs());
        for (int h : spec.hidden()) shape.append('-').append(h);
        return shape.append('-').append(spec.outputs()).toString();
    }

    @Override
    public String toString() {
        return "MLP " + describe(spec) + (adapter != null ? " + " + adapter : "");
    }
}
