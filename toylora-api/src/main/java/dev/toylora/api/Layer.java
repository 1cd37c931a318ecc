package dev.toylora.api;

/** One fully connected layer of a {@link Network}: {@code y = x·Wᵀ + b} with W of shape [out, in]. */
public interface Layer {
    /** fc1, fc2, … */
    String name();

    int inputs();

    int outputs();

    /** True while an adapter is attached to the network: then the base weight and bias receive no updates
     *  (except the bias of an adapted layer when the adapter trains biases). */
    boolean frozen();

    /** A copy of the base weight, shape [out, in] (never including an unmerged adapter). */
    Tensor weight();

    /** A copy of the bias, shape [out]. */
    Tensor bias();
}
