package dev.toylora.engine.openblas;

import dev.toylora.engine.common.Dropout;
import dev.toylora.engine.common.SplitMixStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The dropout masks of one training step. Every engine draws them from one stream in one order (layer by layer: the
 * LoRA input mask row by row, then the hidden layer's output mask unit by unit); the stream is addressable
 * ({@link SplitMixStream}), so nothing has to be drawn in that order here. The LoRA input masks, which the backward
 * pass needs again, are drawn before the step by both threads, each half of every mask; a hidden layer's mask is never
 * stored: the forward epilogue draws each value where it applies it ({@link #hiddenStart}), and the backward pass
 * reads the same decision off the activation (h > 0). All masks are row-major {@code [rows × features]}.
 */
final class Masks {
    final int rows;
    /** The mask on layer l's LoRA input [rows × in], where its branch has dropout. */
    private final float @Nullable [][] lora;
    /** Where each mask's draws start within a step's: lora[l] at loraStart[l], layer l's hidden input mask at hiddenStart[l]. */
    private final long[] loraStart;
    private final long[] hiddenStart;
    private final int[] hiddenUnits;
    private final long drawsPerStep;
    /** Whether any branch has dropout, i.e. there is a LoRA mask to draw before a step. */
    private final boolean anyLora;
    private final @Nullable LoraBranch[] branches;
    /** The network's dropout as the epilogue applies it: keep when the draw's bits reach the threshold, and scale by keep. */
    final long hiddenThreshold;
    final float hiddenKeep;

    // The step drawn last: its stream and where its draws start.
    private @Nullable SplitMixStream stream;
    private long base;
    private final Runnable lowerHalves = () -> drawLora(0);
    private final Runnable upperHalves = () -> drawLora(1);

    Masks(int rows, List<DenseLayer> layers, @Nullable LoraBranch[] branches, double dropout) {
        this.rows = rows;
        this.branches = branches;
        int count = layers.size();
        this.lora = new float[count][];
        this.loraStart = new long[count];
        this.hiddenStart = new long[count];
        this.hiddenUnits = new int[count];
        long draws = 0;
        // The order every engine draws in: layer l's LoRA input mask, then the mask on layer l's output (layer l+1's input).
        for (int l = 0; l < count; l++) {
            LoraBranch branch = branches[l];
            if (branch != null && branch.dropout > 0) {
                lora[l] = new float[rows * layers.get(l).inputs()];
                loraStart[l] = draws;
                draws += lora[l].length;
            }
            if (l + 1 < count && dropout > 0) {
                hiddenUnits[l + 1] = layers.get(l + 1).inputs();
                hiddenStart[l + 1] = draws;
                draws += (long) rows * hiddenUnits[l + 1];
            }
        }
        this.drawsPerStep = draws;
        this.anyLora = java.util.Arrays.stream(lora).anyMatch(java.util.Objects::nonNull);
        this.hiddenThreshold = SplitMixStream.threshold(dropout);
        this.hiddenKeep = (float) Dropout.keepScale(dropout);
    }

    /** Takes a step's draws from {@code stream}: draws the LoRA input masks now, on both threads; the hidden ones are drawn as applied. */
    void draw(SplitMixStream stream) {
        this.stream = stream;
        this.base = stream.position();
        if (anyLora) Parallel.both(lowerHalves, upperHalves);
        stream.advance(drawsPerStep);
    }

    /** The lower (0) or upper (1) half of every LoRA input mask. */
    private void drawLora(int half) {
        SplitMixStream s = ForwardPass.required(stream);
        for (int l = 0; l < lora.length; l++) {
            float[] mask = lora[l];
            LoraBranch branch = branches[l];
            if (mask == null || branch == null) continue;
            Dropout.rowMajorMask(mask, Parallel.start(mask.length, half), Parallel.end(mask.length, half), branch.dropout, s, base + loraStart[l]);
        }
    }

    float @Nullable [] lora(int layer) {
        return lora[layer];
    }

    /** The step's stream, for the epilogue's draws of the hidden masks. */
    SplitMixStream stream() {
        return ForwardPass.required(stream);
    }

    /**
     * Where the hidden mask on layer l's input starts in the stream, or −1 where there is none (l = 0, or no dropout).
     * Row i, unit j of it is the draw at {@code start + j·rows + i}: unit-major, the order every engine draws in.
     */
    long hiddenStart(int layer) {
        return hiddenUnits[layer] > 0 ? base + hiddenStart[layer] : -1;
    }
}
