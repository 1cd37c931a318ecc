package dev.toylora.runner.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/predict}: the request read and checked, and the answer written.
 * <pre>
 * {"images": [{"image": "&lt;base64 PNG/JPEG or data: URL&gt;"} | {"pixels": "&lt;base64 of 784 grey bytes&gt;"} | {"features": [784 numbers]}],
 *  "models": ["base", "eight", {"eight": 0.5, "nine": 0.5}],   (default ["base"])
 *  "top": 3, "probabilities": false}
 * </pre>
 */
final class PredictApi {
    private static final Set<String> KEYS = Set.of("images", "models", "top", "probabilities");
    private static final Set<String> IMAGE_KEYS = Set.of("image", "pixels", "features");
    private static final int MAX_MIX = 8;
    private static final double MAX_WEIGHT = 10;

    private PredictApi() {}

    /** A checked request: every image's prepared input and every model resolved to loaded adapters. */
    record Request(List<Inputs.Prepared> images, float[] features, List<Batcher.Selection> models, int top, boolean probabilities) {}

    static Request parse(JsonNode root, Models models, Limits limits, Batcher.Strategy strategy, long deadlineNanos) {
        if (root == null || !root.isObject()) throw ApiException.badRequest("the body must be a JSON object: {\"images\": [...], \"models\": [...]}");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) throw ApiException.badRequest("unknown field '" + SafePaths.printable(key) + "'; expected " + List.of("images", "models", "top", "probabilities"));
        }
        JsonNode images = root.path("images");
        if (!images.isArray() || images.isEmpty()) throw ApiException.badRequest("'images' must be a non-empty array");
        if (images.size() > limits.maxImages()) throw ApiException.tooLarge(images.size() + " images; at most " + limits.maxImages() + " per request (--max-images)");
        List<Batcher.Selection> selections = selections(root.get("models"), models, limits, strategy);
        if ((long) images.size() * selections.size() > limits.maxBatchRows()) {
            throw ApiException.tooLarge(images.size() + " images × " + selections.size() + " models = " + images.size() * selections.size()
                    + " rows; one request may ask for at most " + limits.maxBatchRows() + " (--max-batch)");
        }
        int classes = models.spec().outputs();
        JsonNode topNode = root.get("top");
        int top = 3;
        if (topNode != null) {
            if (!topNode.canConvertToInt() || !topNode.isIntegralNumber() || topNode.asInt() < 1 || topNode.asInt() > classes) {
                throw ApiException.badRequest("'top' must be a whole number from 1 to " + classes);
            }
            top = topNode.asInt();
        }
        JsonNode probabilitiesNode = root.get("probabilities");
        if (probabilitiesNode != null && !probabilitiesNode.isBoolean()) throw ApiException.badRequest("'probabilities' must be true or false");
        boolean probabilities = probabilitiesNode != null && probabilitiesNode.asBoolean();

        List<Inputs.Prepared> prepared = new ArrayList<>();
        float[] features = new float[images.size() * Inputs.PIXELS];
        for (int i = 0; i < images.size(); i++) {
            Inputs.Prepared p = image(images.get(i), "images[" + i + "]", models, limits, deadlineNanos);
            System.arraycopy(p.features(), 0, features, i * Inputs.PIXELS, Inputs.PIXELS);
            prepared.add(p);
        }
        return new Request(prepared, features, selections, top, probabilities);
    }

    private static Inputs.Prepared image(JsonNode node, String where, Models models, Limits limits, long deadlineNanos) {
        if (!node.isObject() || node.size() != 1 || !IMAGE_KEYS.contains(node.fieldNames().next())) {
            throw ApiException.badRequest(where + " must be an object with one of " + List.of("image", "pixels", "features"));
        }
        String kind = node.fieldNames().next();
        JsonNode value = node.get(kind);
        if (kind.equals("features")) return Inputs.features(value, where + ".features");
        if (!value.isTextual()) throw ApiException.badRequest(where + "." + kind + " must be a base64 string");
        return kind.equals("image")
                ? Inputs.picture(value.asText(), where + ".image", models.dataset(), limits.maxImageSide(), deadlineNanos)
                : Inputs.pixels(value.asText(), where + ".pixels", models.dataset());
    }

    private static List<Batcher.Selection> selections(JsonNode node, Models models, Limits limits, Batcher.Strategy strategy) {
        if (node == null) return List.of(Batcher.Selection.base());
        if (!node.isArray() || node.isEmpty()) throw ApiException.badRequest("'models' must be a non-empty array of \"base\", adapter names and {\"name\": weight} mixes");
        if (node.size() > limits.maxModels()) throw ApiException.tooLarge(node.size() + " models; at most " + limits.maxModels() + " per request (--max-models)");
        List<Batcher.Selection> selections = new ArrayList<>();
        for (int m = 0; m < node.size(); m++) {
            JsonNode model = node.get(m);
            String where = "models[" + m + "]";
            if (model.isTextual()) {
                String name = model.asText();
                if (name.equals(Models.BASE)) {
                    selections.add(Batcher.Selection.base());
                } else {
                    Models.Loaded a = adapter(models, name, where);
                    selections.add(new Batcher.Selection(name, a.id() + ":1", List.of(a), List.of(1.0)));
                }
            } else if (model.isObject()) {
                selections.add(mix(model, models, where, strategy));
            } else {
                throw ApiException.badRequest(where + " must be \"base\", an adapter's name or {\"name\": weight, ...}");
            }
        }
        return selections;
    }

    private static Batcher.Selection mix(JsonNode model, Models models, String where, Batcher.Strategy strategy) {
        if (model.isEmpty() || model.size() > MAX_MIX) throw ApiException.badRequest(where + " must mix 1 to " + MAX_MIX + " adapters");
        List<Models.Loaded> adapters = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        StringBuilder label = new StringBuilder();
        StringBuilder key = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode w = e.getValue();
            if (!w.isNumber() || !(Math.abs(w.asDouble()) <= MAX_WEIGHT)) {
                throw ApiException.badRequest(where + "." + SafePaths.printable(e.getKey()) + " must be a weight from -" + (int) MAX_WEIGHT + " to " + (int) MAX_WEIGHT);
            }
            Models.Loaded a = adapter(models, e.getKey(), where);
            adapters.add(a);
            weights.add(w.asDouble());
            label.append(label.length() == 0 ? "" : "+").append(e.getKey()).append('=').append(w.asText());
            key.append(a.id()).append(':').append(w.asDouble()).append(';');
        }
        if (strategy == Batcher.Strategy.MERGED && !(adapters.size() == 1 && weights.get(0) == 1.0)) {
            throw ApiException.badRequest(where + ": this server runs --strategy merged, which serves the base and single adapters, not mixes");
        }
        return new Batcher.Selection(label.toString(), key.toString(), adapters, weights);
    }

    private static Models.Loaded adapter(Models models, String name, String where) {
        return models.get(name).orElseThrow(() -> ApiException.notFound(where + ": no adapter named '" + SafePaths.printable(name)
                + "' is loaded; loaded: " + models.list().stream().map(Models.Loaded::name).toList()));
    }

    /** {"results": [{"prepared": base64, "inverted": b, "models": [{"model", "digit", "top": [{"digit", "p"}], "probabilities"}]}]}. */
    static ObjectNode answer(Request request, float[] logits, int classes) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode results = root.putArray("results");
        int images = request.images().size();
        for (int i = 0; i < images; i++) {
            ObjectNode r = results.addObject();
            Inputs.Prepared p = request.images().get(i);
            byte[] pixels = p.pixels();
            if (pixels != null) r.put("prepared", Base64.getEncoder().encodeToString(pixels)).put("inverted", p.inverted());
            ArrayNode answers = r.putArray("models");
            for (int m = 0; m < request.models().size(); m++) {
                double[] probabilities = softmax(logits, (m * images + i) * classes, classes);
                ObjectNode a = answers.addObject();
                a.put("model", request.models().get(m).label());
                int[] order = order(probabilities);
                a.put("digit", order[0]);
                ArrayNode top = a.putArray("top");
                for (int k = 0; k < request.top(); k++) top.addObject().put("digit", order[k]).put("p", round(probabilities[order[k]]));
                if (request.probabilities()) {
                    ArrayNode all = a.putArray("probabilities");
                    for (double v : probabilities) all.add(round(v));
                }
            }
        }
        return root;
    }

    static double[] softmax(float[] logits, int offset, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) max = Math.max(max, logits[offset + c]);
        double[] p = new double[classes];
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += p[c] = Math.exp(logits[offset + c] - max);
        for (int c = 0; c < classes; c++) p[c] /= sum;
        return p;
    }

    /** Classes by falling probability (ties: the lower class first). */
    private static int[] order(double[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int[] result = new int[p.length];
        for (int i = 0; i < result.length; i++) result[i] = order[i];
        return result;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
