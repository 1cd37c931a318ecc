package dev.toylora.model;

import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.Layer;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Probe;
import dev.toylora.api.RowGroup;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import dev.toylora.model.kernel.DropoutDraws;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import dev.toylora.model.kernel.SplitMixStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The MLP: {@code fc1 … fcN} ({@link LoraLinear}), ReLU and dropout after every hidden layer, at most one LoRA adapter.
 */
public final class Mlp implements Network {
    /** Eval batches larger than this run in slices of it, so that evaluating a whole test set needs no giant buffers. */
    private static final int EVAL_SLICE = 512;

    private final NetworkSpec spec;
    private final Kernels kernels;
    private final List<LoraLinear> layers;
    private final BufferCache<Pass> evalPasses;
    /** The adapters served by {@link #logits(Batch, List, float[])}, in engine storage. */
    private final ServedAdapters servedAdapters;
    /** Eval-mode backward passes: probes (model inversion) and the Fisher diagonal. */
    private final EvalBackward evalBackward;
    private @Nullable LoraAdapter adapter;
    /** Changes whenever an adapter is attached or detached, so that trainers can tell they are stale. */
    private long configuration;

    private Mlp(NetworkSpec spec, Kernels kernels) {
        this.spec = spec;
        this.kernels = kernels;
        List<LoraLinear> made = new ArrayList<>();
        for (NetworkSpec.LayerShape shape : spec.layerShapes()) {
            made.add(new LoraLinear(kernels, shape.name(), shape.inputs(), shape.outputs(), () -> adapter != null));
        }
        this.layers = List.copyOf(made);
        this.evalPasses = new BufferCache<>(rows -> new Pass(rows, false, layers.size()));
        this.servedAdapters = new ServedAdapters(this);
        this.evalBackward = new EvalBackward(this);
    }

    /** Weights and biases drawn as PyTorch's nn.Linear draws them, layer by layer, from one seeded stream. */
    static Mlp initialised(NetworkSpec spec, Kernels kernels, long seed) {
        Mlp network = new Mlp(spec, kernels);
        SplittableRandom random = new SplittableRandom(seed);
        for (LoraLinear layer : network.layers) layer.initialise(random);
        return network;
    }

    /** A network with the given weights, checked name by name and shape by shape. */
    static Mlp restored(NetworkSpec spec, Kernels kernels, Map<String, Tensor> weights) {
        Mlp network = new Mlp(spec, kernels);
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Parameter parameter : network.baseParameters()) expected.put(parameter.name(), parameter.shape());
        NamedTensors.checkNamesAndShapes("the network " + NamedTensors.describe(spec), expected, weights);
        for (Parameter parameter : network.baseParameters()) parameter.load(weights.get(parameter.name()));
        return network;
    }

    /**
     * The matrices one batch flows through: its input and each layer's {@link LoraLinear.Activations}. A trainer's
     * pass has the backward buffers of the layers that need them.
     */
    final class Pass {
        final int rows;
        final Matrix input;
        final List<LoraLinear.Activations> layers;

        /** @param lowestTrained the first layer from the input with something to train (dL/dx is formed above it) */
        Pass(int rows, boolean training, int lowestTrained) {
            this(rows, training, training, lowestTrained);
        }

        /**
         * @param backward    whether a backward pass follows
         * @param dropout     whether LoRA branches drop their inputs (training mode)
         * @param lowestLayer dL/dx is formed above this layer; -1 for gradients down to the inputs
         */
        Pass(int rows, boolean backward, boolean dropout, int lowestLayer) {
            this.rows = rows;
            this.input = kernels.zeros(rows, spec.inputs());
            List<LoraLinear.Activations> made = new ArrayList<>();
            for (int l = 0; l < Mlp.this.layers.size(); l++) {
                made.add(Mlp.this.layers.get(l).activations(rows, backward, dropout, l > lowestLayer));
            }
            this.layers = List.copyOf(made);
        }

        /** Layer l's input: the batch, or the layer below's output. */
        Matrix inputOf(int layer) {
            return layer == 0 ? input : layers.get(layer - 1).y;
        }

        Matrix logits() {
            return layers.get(layers.size() - 1).y;
        }
    }

    /**
     * The forward pass over the rows loaded into {@code pass.input}, leaving the logits in {@link Pass#logits()}.
     *
     * @param draws the step's dropout draws by layer (training), or null for eval mode
     */
    void forward(Pass pass, @Nullable StepDraws draws) {
        int last = layers.size() - 1;
        for (int l = 0; l <= last; l++) {
            layers.get(l).forward(pass.inputOf(l), pass.layers.get(l), l < last,
                    draws != null ? draws.lora(l) : null, draws != null ? draws.hidden(l) : null);
        }
    }

    /**
     * Where each dropout mask of a training step sits in the trainer's stream — the one place that fixes the order, so
     * every engine drops the same values: layer by layer from the input, the layer's LoRA input mask (when its branch
     * has dropout) row by row, then the network's dropout on a hidden layer's output unit by unit.
     */
    final class StepDraws {
        private final @Nullable DropoutDraws[] lora;
        private final @Nullable DropoutDraws[] hidden;

        /** Takes the step's draws from {@code stream} (advancing it past them). */
        StepDraws(SplitMixStream stream, int rows) {
            int count = layers.size();
            this.lora = new DropoutDraws[count];
            this.hidden = new DropoutDraws[count];
            long position = stream.position();
            for (int l = 0; l < count; l++) {
                LoraLinear layer = layers.get(l);
                LoraLinear.Lora branch = layer.lora();
                if (branch != null && branch.dropout > 0) {
                    lora[l] = DropoutDraws.rowMajor(stream, position, rows, layer.inputs(), branch.dropout);
                    position += lora[l].count();
                }
                if (l + 1 < count && spec.dropout() > 0) {
                    hidden[l] = DropoutDraws.unitMajor(stream, position, rows, layer.outputs(), spec.dropout());
                    position += hidden[l].count();
                }
            }
            stream.advance(position - stream.position());
        }

        @Nullable DropoutDraws lora(int layer) {
            return lora[layer];
        }

        @Nullable DropoutDraws hidden(int layer) {
            return hidden[layer];
        }
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    List<LoraLinear> linearLayers() {
        return layers;
    }

    Kernels kernels() {
        return kernels;
    }

    @Override
    public long parameterCount() {
        return spec.parameterCount();
    }

    @Override
    public long trainableParameterCount() {
        LoraAdapter attached = adapter;
        return attached != null ? attached.trainableParameters() : spec.parameterCount();
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

    @Nullable LoraAdapter attachedAdapter() {
        return adapter;
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
        checkColumns(batch);
        checkOut(batch, out);
        int classes = spec.outputs();
        evalSlices(batch, (first, rows) -> evalLogits(batch.features(), first, rows, batch.columns()),
                (slice, first, rows) -> System.arraycopy(slice, 0, out, first * classes, rows * classes));
    }

    @Override
    public void logits(Batch batch, List<RowGroup> groups, float[] out) {
        if (adapter != null) throw new IllegalStateException("detach the adapter first: batched serving runs the base once for every row");
        checkColumns(batch);
        checkOut(batch, out);
        ServedAdapters.checkGroups(groups, batch.rows());
        int classes = spec.outputs();
        evalSlices(batch, (first, rows) -> {
            List<LoraLinear.@Nullable StackedBranches> branches = servedAdapters.rowBranches(groups, first, rows);
            Pass pass = evalPasses.forRows(rows);
            kernels.write(pass.input, batch.features(), first * batch.columns());
            for (int l = 0; l < layers.size(); l++) {
                layers.get(l).forward(pass.inputOf(l), pass.layers.get(l), l < layers.size() - 1, branches.get(l));
            }
            return pass.logits();
        }, (slice, first, rows) -> System.arraycopy(slice, 0, out, first * classes, rows * classes));
    }

    @Override
    public double probe(Batch batch, Probe probe, float @Nullable [] inputGradient) {
        return evalBackward.probe(batch, probe, inputGradient);
    }

    @Override
    public Map<String, Tensor> fisherDiagonal(Batch batch) {
        return evalBackward.fisher(batch);
    }

    /** The eval-mode mean cross-entropy of {@code batch}, accumulated in double (a test hook: finite differences). */
    public double loss(Batch batch) {
        checkColumns(batch);
        int classes = spec.outputs();
        double[] total = {0};
        evalSlices(batch, (first, rows) -> evalLogits(batch.features(), first, rows, batch.columns()),
                (slice, first, rows) -> total[0] += SoftmaxCrossEntropy.loss(slice, rows, classes, batch.labels(), first) * rows);
        return total[0] / batch.rows();
    }

    /** Computes a slice's logits in engine storage. */
    private interface SliceForward {
        Matrix logits(int first, int rows);
    }

    /** Takes a slice's logits, row-major, read into a heap array. */
    private interface SliceUse {
        void accept(float[] logits, int first, int rows);
    }

    /** Eval in slices of at most {@link #EVAL_SLICE} rows, so a whole test set needs no giant buffers. */
    private void evalSlices(Batch batch, SliceForward forward, SliceUse use) {
        float[] slice = new float[Math.min(EVAL_SLICE, batch.rows()) * spec.outputs()];
        for (int first = 0; first < batch.rows(); first += EVAL_SLICE) {
            int rows = Math.min(EVAL_SLICE, batch.rows() - first);
            kernels.read(forward.logits(first, rows), slice);
            use.accept(slice, first, rows);
        }
    }

    private void checkOut(Batch batch, float[] out) {
        long needed = (long) batch.rows() * spec.outputs();
        if (out.length < needed) {
            throw new IllegalArgumentException("out holds " + out.length + " values, " + batch.rows() + " rows of " + spec.outputs() + " logits need " + needed);
        }
    }

    private Matrix evalLogits(float[] features, int first, int rows, int columns) {
        Pass pass = evalPasses.forRows(rows);
        kernels.write(pass.input, features, first * columns);
        forward(pass, null);
        return pass.logits();
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
        for (LoraLinear layer : layers) {
            parameters.add(layer.weight);
            parameters.add(layer.bias);
        }
        return parameters;
    }

    /** Every parameter by name, live (base, then the adapter's): a test hook, for values a test may nudge. */
    public Map<String, LiveValues> liveParameters() {
        Map<String, LiveValues> live = new LinkedHashMap<>();
        List<Parameter> parameters = new ArrayList<>(baseParameters());
        LoraAdapter attached = adapter;
        if (attached != null) parameters.addAll(attached.parameters());
        for (Parameter parameter : parameters) live.putIfAbsent(parameter.name(), new LiveValues(kernels, parameter.values()));
        return live;
    }

    /** A parameter's live values, indexed row-major (a test hook). */
    public record LiveValues(Kernels kernels, Matrix values) {
        public int size() {
            return Math.toIntExact(values.size());
        }

        public float get(int index) {
            return kernels.get(values, index / values.columns(), index % values.columns());
        }

        public void set(int index, float value) {
            kernels.set(values, index / values.columns(), index % values.columns(), value);
        }
    }

    /** Releases the engine's storage of every parameter (native memory in some engines) and every cached buffer. */
    @Override
    public void close() {
        LoraAdapter attached = adapter;
        if (attached != null) detach();
        for (LoraLinear layer : layers) {
            kernels.release(layer.weight.values());
            kernels.release(layer.bias.values());
        }
        evalPasses.clear();
        evalBackward.clear();
    }

    long configuration() {
        return configuration;
    }

    void checkColumns(Batch batch) {
        if (batch.columns() != spec.inputs()) {
            throw new IllegalArgumentException("batch has " + batch.columns() + " columns, the network takes " + spec.inputs() + " inputs");
        }
    }

    private void changed() {
        configuration++;
        evalPasses.clear();
        evalBackward.clear();
    }

    @Override
    public String toString() {
        LoraAdapter attached = adapter;
        return "MLP " + NamedTensors.describe(spec) + (attached != null ? " + " + attached : "");
    }
}
