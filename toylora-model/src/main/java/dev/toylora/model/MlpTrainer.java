package dev.toylora.model;

import dev.toylora.api.Batch;
import dev.toylora.api.NonFiniteLossException;
import dev.toylora.api.Objective;
import dev.toylora.api.Tensor;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import dev.toylora.model.kernel.AdamMath;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import dev.toylora.model.kernel.SplitMixStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Trains what was trainable when it was made: the whole network, or only an adapter (and the adapted layers' biases
 * when the adapter says so). A step: forward in training mode, softmax cross-entropy, backward down to the lowest layer
 * that trains, then Adam on every trained parameter. Attaching or detaching an adapter afterwards makes it refuse to
 * step; a new trainer is needed then.
 */
public final class MlpTrainer implements Trainer {
    private final Mlp network;
    private final Kernels kernels;
    private final long configuration;
    private final @Nullable LoraAdapter adapter;
    /** What trains, in the order of the named tensors, with a gradient and Adam's two moments each. */
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Matrix> gradients = new ArrayList<>();
    private final List<Matrix> firstMoments = new ArrayList<>();
    private final List<Matrix> secondMoments = new ArrayList<>();
    /** Where each layer's backward pass writes its gradients. */
    private final List<LoraLinear.Gradients> layerGradients = new ArrayList<>();
    private final int lowestTrained;
    private final AdamMath adam;
    private final SplitMixStream dropoutMasks;
    private final BufferCache<Mlp.Pass> passes;
    /** EWC's penalty per layer (null where none), once {@link #penaliseChange} has been called. */
    private final List<LoraLinear.@Nullable ChangePenalty> penalties = new ArrayList<>();
    private float[] logits = new float[0];
    private float[] logitGradients = new float[0];

    MlpTrainer(Mlp network, OptimizerSpec spec, long seed) {
        this.network = network;
        this.kernels = network.kernels();
        this.configuration = network.configuration();
        this.adapter = network.attachedAdapter();
        int lowest = -1;
        List<LoraLinear> layers = network.linearLayers();
        for (int l = 0; l < layers.size(); l++) {
            LoraLinear.Gradients g = adapter == null ? baseGradients(layers.get(l)) : adapterGradients(layers.get(l));
            layerGradients.add(g);
            if (lowest < 0 && (g.weight() != null || g.bias() != null || g.a() != null)) lowest = l;
        }
        if (lowest < 0) throw new IllegalStateException("nothing trains");
        this.lowestTrained = lowest;
        this.adam = new AdamMath(spec);
        this.dropoutMasks = new SplitMixStream(seed);
        this.passes = new BufferCache<>(rows -> network.new Pass(rows, true, lowestTrained));
    }

    /** Training the base: every weight and bias, named fc1.weight, fc1.bias, … */
    private LoraLinear.Gradients baseGradients(LoraLinear layer) {
        return new LoraLinear.Gradients(register(layer.weight), register(layer.bias), null, null);
    }

    /** Training an adapter: A and B of each target, and its bias when the adapter trains biases, in that order. */
    private LoraLinear.Gradients adapterGradients(LoraLinear layer) {
        LoraLinear.Lora branch = layer.lora();
        if (branch == null) return new LoraLinear.Gradients(null, null, null, null);
        Matrix a = register(branch.a);
        Matrix b = register(branch.b);
        Matrix bias = LoraLinear.required(adapter).spec().trainBias() ? register(branch.trainedBias()) : null;
        return new LoraLinear.Gradients(null, bias, a, b);
    }

    /** Adds a parameter to what trains; returns its gradient. */
    private Matrix register(Parameter parameter) {
        Matrix values = parameter.values();
        Matrix gradient = kernels.zeros(values.rows(), values.columns());
        parameters.add(parameter);
        gradients.add(gradient);
        firstMoments.add(kernels.zeros(values.rows(), values.columns()));
        secondMoments.add(kernels.zeros(values.rows(), values.columns()));
        return gradient;
    }

    /**
     * One step; refuses a batch without labels or with a value that is not finite, and stops before the update when the
     * loss is not finite, naming the step: a NaN would otherwise spread into every weight.
     */
    @Override
    public double step(Batch batch) {
        return step(batch, null);
    }

    @Override
    public double step(Batch batch, @Nullable Objective objective) {
        checkFinite(batch);
        double loss = computeGradients(batch, dropoutMasks, objective);
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(adam.steps() + 1, loss);
        }
        addPenaltyGradients();
        adam.beginStep();
        for (int i = 0; i < parameters.size(); i++) {
            kernels.adam(adam, parameters.get(i).values(), gradients.get(i), firstMoments.get(i), secondMoments.get(i));
        }
        return loss;
    }

    /** Forward in training mode, loss and backward, without updating: the gradients by parameter name (a test hook). */
    public Map<String, double[]> gradients(Batch batch) {
        computeGradients(batch, dropoutMasks, null);
        addPenaltyGradients();
        Map<String, double[]> copies = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Matrix gradient = gradients.get(i);
            float[] values = new float[Math.toIntExact(gradient.size())];
            kernels.read(gradient, values);
            double[] copy = new double[values.length];
            for (int k = 0; k < values.length; k++) copy[k] = values[k];
            copies.put(parameters.get(i).name(), copy);
        }
        return copies;
    }

    /**
     * The training-mode loss with dropout masks drawn from a fresh stream of {@code maskSeed}, without backward or update
     * (a test hook: finite differences through dropout, against {@link #gradients} of a trainer made with that seed).
     */
    public double trainingLoss(Batch batch, long maskSeed) {
        Mlp.Pass pass = forward(batch, new SplitMixStream(maskSeed), true);
        kernels.read(pass.logits(), logits);
        return SoftmaxCrossEntropy.loss(logits, batch.rows(), network.spec().outputs(), batch.labels(), 0);
    }

    private static void checkFinite(Batch batch) {
        float[] features = batch.features();
        int size = batch.rows() * batch.columns();
        for (int k = 0; k < size; k++) {
            if (!Float.isFinite(features[k])) {
                throw new IllegalArgumentException("the batch's row " + k / batch.columns() + ", column " + k % batch.columns()
                        + " is " + features[k] + "; training needs finite inputs");
            }
        }
    }

    private Mlp.Pass forward(Batch batch, SplitMixStream masks, boolean needsLabels) {
        checkUsable();
        if (needsLabels && !batch.labelled()) throw new IllegalArgumentException("training needs labels; the batch has none (Batch.unlabelled is for inference)");
        network.checkColumns(batch);
        int rows = batch.rows();
        Mlp.Pass pass = passes.forRows(rows);
        int size = rows * network.spec().outputs();
        if (logits.length != size) {
            logits = new float[size];
            logitGradients = new float[size];
        }
        kernels.write(pass.input, batch.features(), 0);
        network.forward(pass, network.new StepDraws(masks, rows));
        return pass;
    }

    /**
     * Forward, loss and backward: leaves every trained parameter's gradient in {@link #gradients}; returns the loss —
     * {@code objective}'s, or the mean cross-entropy on the batch's labels when it is null.
     */
    private double computeGradients(Batch batch, SplitMixStream masks, @Nullable Objective objective) {
        Mlp.Pass pass = forward(batch, masks, objective == null);
        List<LoraLinear> layers = network.linearLayers();
        int last = layers.size() - 1;
        kernels.read(pass.logits(), logits);
        int classes = network.spec().outputs();
        double loss = objective == null
                ? SoftmaxCrossEntropy.lossAndGradient(logits, batch.rows(), classes, batch.labels(), 0, logitGradients)
                : objective.lossAndGradient(logits, batch.rows(), classes, logitGradients);
        kernels.write(LoraLinear.required(pass.layers.get(last).dz), logitGradients, 0);
        float keep = (float) (1 / (1 - network.spec().dropout()));
        for (int l = last; l >= lowestTrained; l--) {
            LoraLinear.Activations act = pass.layers.get(l);
            layers.get(l).backward(pass.inputOf(l), act, layerGradients.get(l));
            if (l > lowestTrained) {
                // The layer below's output was dropout(relu(z)): back through both to its dz.
                LoraLinear.Activations below = pass.layers.get(l - 1);
                kernels.reluDropoutBackward(LoraLinear.required(act.dx), below.y, keep, LoraLinear.required(below.dz));
            }
        }
        return loss;
    }

    /** EWC: the change penalty's gradient added to the adapter's, layer by layer. */
    private void addPenaltyGradients() {
        for (int l = 0; l < penalties.size(); l++) {
            LoraLinear.ChangePenalty penalty = penalties.get(l);
            if (penalty != null) penalty.addGradients(layerGradients.get(l));
        }
    }

    @Override
    public void penaliseChange(Map<String, Tensor> importance, double strength) {
        LoraAdapter attached = adapter;
        if (attached == null) throw new IllegalStateException("a change penalty is for training an adapter; this trainer trains the base itself");
        if (!(strength >= 0) || Double.isInfinite(strength)) throw new IllegalArgumentException("the penalty's strength must be finite and ≥ 0, got " + strength);
        if (!penalties.isEmpty()) throw new IllegalStateException("this trainer already has a change penalty");
        List<float[]> weights = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (LoraLinear layer : network.linearLayers()) {      // every check first: a refusal leaves no penalty behind
            weights.add(scaledImportance(importance, layer.weight, strength));
            biases.add(scaledImportance(importance, layer.bias, strength));
        }
        List<LoraLinear> layers = network.linearLayers();
        for (int l = 0; l < layers.size(); l++) penalties.add(layers.get(l).changePenalty(weights.get(l), biases.get(l)));
    }

    /** strength × the importance of {@code parameter}, checked for name, shape and sign. */
    private static float[] scaledImportance(Map<String, Tensor> importance, Parameter parameter, double strength) {
        Tensor tensor = importance.get(parameter.name());
        if (tensor == null) throw new IllegalArgumentException("the importance has no " + parameter.name() + "; it needs every weight and bias of the base, named as Network.weights() names them");
        if (!java.util.Arrays.equals(tensor.shape(), parameter.shape())) {
            throw new IllegalArgumentException("the importance of " + parameter.name() + " has shape " + java.util.Arrays.toString(tensor.shape())
                    + ", the parameter " + java.util.Arrays.toString(parameter.shape()));
        }
        float[] scaled = new float[tensor.data().length];
        for (int k = 0; k < scaled.length; k++) {
            float value = tensor.data()[k];
            if (!(value >= 0) || Float.isInfinite(value)) {
                throw new IllegalArgumentException("the importance of " + parameter.name() + " holds " + value + " at " + k + "; it must be finite and ≥ 0");
            }
            scaled[k] = (float) (strength * value);
        }
        return scaled;
    }

    private void checkUsable() {
        if (network.configuration() != configuration) {
            throw new IllegalStateException("this trainer was made for " + (adapter == null ? "the base network" : "adapter " + adapter)
                    + ", but an adapter has been attached or detached since; make a new trainer with network.trainer(…)");
        }
        LoraAdapter attached = adapter;
        if (attached != null && attached.merged()) {
            throw new IllegalStateException("cannot train while the adapter is merged into the base weights; call adapter.unmerge() first");
        }
    }

    @Override
    public void learningRate(double learningRate) {
        adam.learningRate(learningRate);
    }

    @Override
    public double learningRate() {
        return adam.learningRate();
    }

    @Override
    public long steps() {
        return adam.steps();
    }
}
