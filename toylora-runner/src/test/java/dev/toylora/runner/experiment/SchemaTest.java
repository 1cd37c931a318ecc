package dev.toylora.runner.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.runner.io.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Each key is declared once (on its record component) and everything else reads that declaration. */
class SchemaTest {

    @Test
    void theDeclaredKeysAreExactlyTheFieldsTheRecordsBindAndWrite() {
        List<String> leaves = new ArrayList<>();
        collectLeaves(ExperimentParser.toJsonNode(withEverySectionWritten()), "", leaves);
        assertEquals(leaves, Schema.leaves());
        assertEquals(Schema.leaves().size(), new HashSet<>(Schema.leaves()).size(), "a key declared twice");
    }

    @Test
    void sectionsAndKindsFollowFromTheDeclarations() {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        sections.put("", List.of("name", "backend", "seed", "data", "model", "pretrain", "finetune", "sweep"));
        sections.put("data", List.of("dataset", "dir", "validation"));
        sections.put("model", List.of("hidden", "dropout"));
        sections.put("pretrain", List.of("classes", "epochs", "batch-size", "learning-rate", "weight-decay", "schedule", "warmup-epochs"));
        sections.put("finetune", List.of("method", "classes", "replay", "replay-classes", "replay-source", "epochs", "batch-size",
                "learning-rate", "weight-decay", "schedule", "warmup-epochs", "lora", "retention", "synthetic"));
        sections.put("finetune.lora", List.of("rank", "alpha", "targets", "bias", "dropout", "rslora"));
        sections.put("finetune.retention", List.of("distill", "lwf", "temperature", "full-softmax", "ewc"));
        sections.put("finetune.synthetic", List.of("steps", "learning-rate", "batch-size", "statistics", "tv", "l2", "jitter",
                "confidence", "init"));
        assertEquals(sections, Schema.SECTIONS);
        assertEquals(List.copyOf(sections.keySet()), List.copyOf(Schema.SECTIONS.keySet()));
        assertEquals(Set.of("name", "backend", "data.dataset", "data.dir", "pretrain.schedule", "finetune.method", "finetune.schedule",
                        "finetune.replay-source", "finetune.synthetic.init"),
                Schema.TEXT_LEAVES);
        assertEquals(Set.of("model.hidden", "pretrain.classes", "finetune.classes", "finetune.replay-classes", "finetune.lora.targets"),
                Schema.LIST_LEAVES);
    }

    /**
     * The defaults, but with the keys that written files leave out while they hold their defaults (replay-source,
     * retention, synthetic: so that runs which do not use them read as they did before) given other values.
     */
    static Experiment withEverySectionWritten() {
        return ExperimentParser.parse("{}", "experiments/x.yaml",
                List.of("finetune.replay-source=synthetic", "finetune.retention.ewc=1", "finetune.synthetic.steps=5"));
    }

    @Test
    void leftOutSectionsAreExactlyTheDefaults() {
        JsonNode defaults = ExperimentParser.toJsonNode(ExperimentParser.defaults("x"));
        assertTrue(defaults.path("finetune").path("replay-source").isMissingNode());
        assertTrue(defaults.path("finetune").path("retention").isMissingNode());
        assertTrue(defaults.path("finetune").path("synthetic").isMissingNode());
        JsonNode other = ExperimentParser.toJsonNode(ExperimentParser.parse("{}", "experiments/x.yaml", List.of("finetune.synthetic.tv=1")));
        assertEquals(1.0, other.at("/finetune/synthetic/tv").asDouble(), "a changed key writes its whole section");
    }

    @Test
    void everyDeclaredDefaultIsValidAndIsWhatAnEmptyFileGets() {
        Experiment empty = ExperimentParser.defaults("x");
        // the sections left out of written files: compared as records
        assertEquals(ReplaySource.IMAGES, empty.finetune().replaySource());
        assertEquals(RetentionConfig.OFF, empty.finetune().retention());
        assertEquals(SyntheticConfig.DEFAULT, empty.finetune().synthetic());
        JsonNode defaults = ExperimentParser.toJsonNode(withEverySectionWritten());
        JsonNode plain = ExperimentParser.toJsonNode(empty);
        for (Schema.Key key : Schema.KEYS) {
            JsonNode declared = key.defaultValue();
            if (declared == null) continue;
            String pointer = "/" + key.path().replace('.', '/');
            JsonNode got = plain.at(pointer).isMissingNode() ? defaults.at(pointer) : plain.at(pointer);
            if (key.path().equals("finetune.replay-source") || key.path().equals("finetune.retention.ewc")
                    || key.path().equals("finetune.synthetic.steps")) continue;   // changed on purpose above
            assertEquals(declared.isNumber() ? declared.doubleValue() : declared, got.isNumber() ? got.doubleValue() : got, key.path());
        }
    }

    @Test
    void theKeyListingIsGeneratedFromTheDeclarations() {
        String listing = ExperimentParser.keys();
        List<String> lines = listing.lines().toList();
        assertEquals(2 + Schema.KEYS.size() + 1, lines.size(), listing);
        assertEquals("| key | value | default | what it does |", lines.get(0));
        for (Schema.Key key : Schema.KEYS) {
            assertTrue(lines.contains("| " + key.path() + " | " + key.expected() + " | " + key.defaultText() + " | "
                    + key.setting().help().replace("|", "\\|") + " |"), key.path() + " in\n" + listing);
        }
        assertTrue(listing.contains("| finetune.lora.rank | an integer >= 1 | 16 | "), listing);
        assertTrue(listing.contains("| finetune.method | one of lora, full, none | lora | "), listing);
        assertTrue(listing.contains("| backend | an engine name such as ojalgo | (the available engine of the highest rank) | "), listing);
    }

    @Test
    void theMethodIsAnEnumWithTheFilesNames() {
        assertEquals(List.of("lora", "full", "none"), Schema.key("finetune.method").choices());
        assertEquals(FinetuneMethod.FULL, ExperimentParser.parse("finetune: {method: full}\n", "x.yaml", List.of()).finetune().method());
        assertEquals(FinetuneMethod.NONE, ExperimentParser.parse("{}", "x.yaml", List.of("finetune.method=none")).finetune().method());
        assertEquals("\"lora\"", Json.MAPPER.valueToTree(FinetuneMethod.LORA).toString());
        assertEquals(FinetuneMethod.LORA, FinetuneMethod.of("lora").orElseThrow());
        assertTrue(FinetuneMethod.of("LoRA").isEmpty());
        assertTrue(FinetuneMethod.FULL.finetunes() && !FinetuneMethod.NONE.finetunes());
    }

    @Test
    void withoutBackendTheBestAvailableEngineIsChosenAndLogged() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(Engines.class);
        log.start();
        logger.addAppender(log);
        try {
            assertEquals(Backends.best().name(), ExperimentParser.parse("{}", "experiments/x.yaml", List.of()).backend());
            assertEquals(1, log.list.size());
            // the runner's test class path has the plain-Java engine too (serve's tests): the others are listed after it
            String line = log.list.get(0).getFormattedMessage();
            assertTrue(line.startsWith("engine: " + Backends.best().name() + " (rank " + Backends.best().rank() + "; "), line);
            assertTrue(line.endsWith(") — experiments/x.yaml names no backend"), line);
            // a file that names its engine, or one with mistakes, logs no choice
            assertEquals("ojalgo", ExperimentParser.parse("backend: ojalgo\n", "x.yaml", List.of()).backend());
            assertTrue(ExperimentParser.parse("{}", "x.yaml", List.of("backend=ojalgo")).backend().equals("ojalgo"));
            try {
                ExperimentParser.parse("seed: x\n", "x.yaml", List.of());
            } catch (ExperimentException expected) {
                // wanted
            }
            assertEquals(1, log.list.size());
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void theChoiceNamesTheEngineItsRankAndTheOthers() {
        Backend openblas = fake("openblas", 100, "");
        Backend ojalgo = fake("ojalgo", 50, "");
        Backend reference = fake("reference", 10, "");
        Backend broken = fake("cuda", 200, "no GPU");
        List<Backend> all = List.of(broken, ojalgo, openblas, reference);
        assertEquals(openblas, Backends.best(all));
        assertEquals("engine: openblas (rank 100; also available: ojalgo (rank 50), reference (rank 10); cannot run here: cuda)"
                + " — no --backend given", Engines.choice(openblas, all, "no --backend given"));
    }

    private static void collectLeaves(JsonNode node, String path, List<String> out) {
        if (!node.isObject()) {
            out.add(path);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) node).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            collectLeaves(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
        }
    }

    private static Backend fake(String name, int rank, String unavailable) {
        return new Backend() {
            @Override public String name() { return name; }
            @Override public String version() { return "test"; }
            @Override public int rank() { return rank; }
            @Override public String unavailableReason() { return unavailable; }
            @Override public Network create(NetworkSpec spec, long seed) { throw new UnsupportedOperationException(); }
            @Override public Network restore(NetworkSpec spec, Map<String, Tensor> weights) { throw new UnsupportedOperationException(); }
        };
    }
}
