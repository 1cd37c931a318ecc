package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.Dataset;
import dev.toylora.io.data.DatasetLoader;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import dev.toylora.io.safetensors.Safetensors;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed lora-r16 checkpoints as files in their own right: exported as a merged base, and used by
 * {@code predict} on the shipped sample pictures (samples/, made by scripts/MakeSamples.java).
 */
@Tag("mnist")
class AdapterFilesMnistTest {
    @TempDir
    Path dir;

    static Path repo;
    static Path base;
    static Path adapter;
    static Path mnist;

    @BeforeAll
    static void findFiles() {
        mnist = RealData.require(KnownDataset.MNIST);
        repo = RealData.repoRoot();
        base = repo.resolve("results/lora-r16/checkpoints/base.safetensors");
        adapter = repo.resolve("results/lora-r16/checkpoints/adapter.safetensors");
        if (!Files.isRegularFile(base) || !Files.isRegularFile(adapter)) fail("the committed checkpoints are missing from " + base.getParent());
    }

    record Outcome(int exit, String out, String err) {}

    static Outcome run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    /** The numeric cells of a markdown table's data rows, by row label; column {@code column} (0 = label). */
    static List<String> column(String table, int column) {
        List<String> cells = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| class")) continue;
            cells.add(line.split("\\|")[column + 1].trim());
        }
        return cells;
    }

    @Test
    void theExportedModelIsTheAdaptedModelAndCompareReadsIt() throws Exception {
        String baseHash = ExportCommand.fileSha256(base), adapterHash = ExportCommand.fileSha256(adapter);
        Path exported = dir.resolve("exported.safetensors");
        Outcome export = run("export", "--base", base.toString(), "--adapter", adapter.toString(), "--out", exported.toString());
        assertEquals(0, export.exit(), export.err());
        assertEquals(baseHash, ExportCommand.fileSha256(base), "the base file is untouched");
        assertEquals(adapterHash, ExportCommand.fileSha256(adapter), "the adapter file is untouched");

        // logits on the first 2,000 test images: merged base vs base + adapter
        DataSplit split = DatasetLoader.load("mnist", mnist);
        Dataset test = split.test();
        int rows = 2000;
        float[] features = new float[rows * test.columns()];
        for (int r = 0; r < rows; r++) test.copyRow(r, features, r);
        Batch batch = new Batch(features, new int[rows], rows, test.columns());
        Backend backend = Backends.get("ojalgo");
        ModelFiles.Base baseFile = ModelFiles.readBase(base);
        Network adapted = baseFile.restore(backend);
        ModelFiles.attach(adapted, ModelFiles.readAdapter(adapter, baseFile), adapter);
        float[] expected = ExportCommand.logits(adapted, batch);
        float[] actual = ExportCommand.logits(backend.restore(baseFile.spec(), Safetensors.read(exported).tensors()), batch);
        // The engines compute in float32 and these logits reach ~99, where a float's spacing is 7.6e-6: the merged
        // weights' rounding and the other order of the sums leave ~7e-7 of the largest logit (measured, ojAlgo; 3.5e-7
        // OpenBLAS); a merge that is wrong moves logits by far more.
        double worst = 0;
        double largest = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            largest = Math.max(largest, Math.abs(expected[i]));
        }
        assertTrue(worst <= 2e-6 * largest, "largest logit difference " + worst + ", largest logit " + largest);

        Outcome withAdapter = run("compare", "--base", base.toString(), "--adapter", adapter.toString(), "--data", mnist.toString());
        Outcome merged = run("compare", "--base", exported.toString(), "--data", mnist.toString());
        assertEquals(0, withAdapter.exit(), withAdapter.err());
        assertEquals(0, merged.exit(), merged.err());
        assertEquals(column(withAdapter.out(), 3), column(merged.out(), 2), "the exported base scores what base + adapter scores:\n"
                + withAdapter.out() + "\n" + merged.out());
        assertEquals("98.37", column(merged.out(), 2).get(12), merged.out());
    }

    @Test
    void everySampleIsReadByTheAdaptedModelAndTheBaseMissesOnlyEightAndNine() throws Exception {
        List<Path> samples;
        try (Stream<Path> files = Files.list(repo.resolve("samples"))) {
            samples = files.filter(f -> f.toString().matches(".*\\.(png|jpg)$")).sorted().toList();
        }
        assertEquals(10, samples.size(), "one sample per digit in samples/: " + samples);
        List<String> args = new ArrayList<>(List.of("predict", "--json", "--base", base.toString(), "--adapter", adapter.toString()));
        samples.forEach(s -> args.add(s.toString()));
        Outcome o = run(args.toArray(String[]::new));
        assertEquals(0, o.exit(), o.err());
        JsonNode predictions = new ObjectMapper().readTree(o.out());
        int jpegs = 0, inverted = 0, large = 0;
        for (JsonNode p : predictions) {
            String name = Path.of(p.path("file").asText()).getFileName().toString();
            int digit = name.charAt(0) - '0';
            assertEquals(digit, p.path("adapted").path("digit").asInt(), name + ": the adapted model's answer");
            int baseAnswer = p.path("base").path("digit").asInt();
            if (digit < 8) assertEquals(digit, baseAnswer, name + ": the base knows 0–7");
            else assertTrue(baseAnswer < 8, name + ": the base never learned 8 or 9, yet answered " + baseAnswer);
            if (name.endsWith(".jpg")) jpegs++;
            if (p.path("inverted").asBoolean()) inverted++;
            if (p.path("width").asInt() >= 100) large++;
        }
        assertTrue(jpegs >= 1 && inverted >= 3 && large >= 3, "the samples exercise the preparation: " + jpegs + " JPEG, " + inverted
                + " dark on light, " + large + " large");
    }

    @Test
    void theSamplesAreWhatScriptsMakeSamplesMakes() throws Exception {
        Path out = dir.resolve("samples");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                repo.resolve("scripts/MakeSamples.java").toString(), mnist.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "MakeSamples did not finish");
        assertEquals(0, process.exitValue(), log);
        try (Stream<Path> files = Files.list(repo.resolve("samples"))) {
            for (Path shipped : files.sorted().toList()) {
                Path made = out.resolve(shipped.getFileName());
                assertTrue(Files.isRegularFile(made), "MakeSamples makes " + shipped.getFileName());
                int[] a = pixels(shipped), b = pixels(made);
                if (shipped.toString().endsWith(".png")) {
                    assertArrayEquals(a, b, shipped.getFileName() + " pixel for pixel");
                } else {
                    double difference = 0; // a JPEG encoder may round differently from one JDK to the next
                    for (int i = 0; i < a.length; i++) difference += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
                    assertTrue(difference / a.length < 2, shipped.getFileName() + ": mean difference " + difference / a.length);
                }
            }
        }
    }

    static int[] pixels(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
