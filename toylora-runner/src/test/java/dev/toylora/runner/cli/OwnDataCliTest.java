package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.io.data.IdxFiles;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.io.Json;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Experiments on data of one's own, small and made here: IDX files under MNIST's names ({@code data.dataset: idx}) and a
 * folder of images per class ({@code data.dataset: image-folder}). Mean and std come from the training split and are
 * recorded; the class names reach every table; bad files and classes the data lacks are refused before training.
 */
class OwnDataCliTest {
    @TempDir
    Path dir;

    static final String SMALL = "model: { hidden: [16] }\npretrain: { classes: [0, 1], epochs: 1, batch-size: 8 }\n"
            + "finetune: { classes: [2], epochs: 1, batch-size: 8, replay: 1.0 }\n";

    /** Three classes of 28×28 images: a bright band in the top, middle or bottom third, with noise. */
    static void writeIdx(Path data, int perClass, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (String split : List.of("train", "t10k")) {
            int count = 3 * perClass;
            byte[] pixels = new byte[count * 784], labels = new byte[count];
            for (int i = 0; i < count; i++) {
                int label = i % 3;
                labels[i] = (byte) label;
                for (int k = 0; k < 784; k++) {
                    boolean band = k / 28 / 10 == label;
                    pixels[i * 784 + k] = (byte) (band ? 150 + random.nextInt(100) : random.nextInt(60));
                }
            }
            IdxFiles.write(data.resolve(split + "-images-idx3-ubyte"), IdxFiles.images(count, 28, 28, pixels));
            IdxFiles.write(data.resolve(split + "-labels-idx1-ubyte.gz"), IdxFiles.gzip(IdxFiles.labels(count, labels)));
        }
    }

    static Path picture(Path file, Color background, Color ink, int band) throws IOException {
        BufferedImage image = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, 30, 30);
        g.setColor(ink);
        g.fillRect(0, band * 10, 30, 10);
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(image, file.toString().endsWith(".png") ? "png" : "jpg", file.toFile());
        return file;
    }

    /** dir/{train,test}/{bottom,middle,top}/*: the band's place names the class. */
    static Path writeImageFolder(Path data) throws IOException {
        List<String> classes = List.of("top", "middle", "bottom");
        for (String split : List.of("train", "test")) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 6; i++) {
                    picture(data.resolve(split + "/" + classes.get(c) + "/" + i + (i % 2 == 0 ? ".png" : ".jpg")), Color.BLACK,
                            new Color(150 + 15 * i, 150 + 15 * i, 150 + 15 * i), c);
                }
            }
        }
        return data;
    }

    Path experiment(String name, String dataset, Path data) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), "data: { dataset: " + dataset + ", dir: '" + data + "' }\n" + SMALL);
    }

    @Test
    void anIdxPairOfOnesOwnRunsWithItsOwnMeanAndStdRecorded() throws IOException {
        Path data = dir.resolve("bands");
        writeIdx(data, 20, 1);
        Path results = dir.resolve("results");
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), experiment("bands", "idx", data).toString());
        assertEquals(0, o.exit(), o.err());
        JsonNode metrics = Json.read(results.resolve("bands/metrics.json"));
        JsonNode d = metrics.get("data");
        assertEquals("idx", d.get("dataset").asText());
        assertEquals("[\"0\",\"1\",\"2\"]", d.get("class_names").toString());
        assertTrue(d.get("mean").asDouble() > 0.1 && d.get("mean").asDouble() < 0.5, d.toString());
        assertEquals(List.of("train-images", "train-labels", "test-images", "test-labels").stream().sorted().toList(),
                iterable(d.get("sha256").fieldNames()));
        assertEquals(3, metrics.at("/base/per_class").size(), "the network has as many outputs as the data has classes");
        var base = Safetensors.read(results.resolve("bands/checkpoints/base.safetensors"));
        assertEquals(Float.toString((float) d.get("mean").asDouble()), base.metadata().get(CheckpointMetadata.DATA_MEAN));
        assertEquals(3, base.tensors().get("fc2.bias").dim(0));

        // compare finds the data where the run found it
        MainTest.Outcome compare = MainTest.run("compare", "--base", results.resolve("bands/checkpoints/base.safetensors").toString(),
                "--adapter", results.resolve("bands/checkpoints/adapter.safetensors").toString());
        assertEquals(0, compare.exit(), compare.err());
        assertEquals(Files.readString(results.resolve("bands/comparison.md")), compare.out());
    }

    @Test
    void anImageFolderCarriesItsClassNamesIntoEveryTable() throws IOException {
        Path data = writeImageFolder(dir.resolve("shapes"));
        Path results = dir.resolve("results");
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), experiment("shapes", "image-folder", data).toString());
        assertEquals(0, o.exit(), o.err());
        assertEquals("[\"bottom\",\"middle\",\"top\"]", Json.read(results.resolve("shapes/metrics.json")).at("/data/class_names").toString(),
                "folder names, sorted");
        String comparison = Files.readString(results.resolve("shapes/comparison.md"));
        assertTrue(comparison.contains("| 0 bottom | 6 |") && comparison.contains("| 2 top | 6 |"), comparison);
        assertTrue(o.out().contains("| 1 middle |"), "the printed table:\n" + o.out());
        List<String> csv = Files.readAllLines(results.resolve("shapes/per_class.csv"));
        assertEquals("class,name,group,test_images,base,adapted,change", csv.get(0));
        assertTrue(csv.get(1).startsWith("0,bottom,old,6,"), csv.toString());

        // predict prepares a picture as the folder's were, and answers with the class's name
        Path picture = picture(dir.resolve("new/picture.png"), Color.BLACK, Color.WHITE, 0);
        MainTest.Outcome predicted = MainTest.run("predict", "--json", "--base", results.resolve("shapes/checkpoints/base.safetensors").toString(),
                "--adapter", results.resolve("shapes/checkpoints/adapter.safetensors").toString(), picture.toString());
        assertEquals(0, predicted.exit(), predicted.err());
        JsonNode answer = Json.MAPPER.readTree(predicted.out()).get(0);
        assertTrue(List.of("bottom", "middle", "top").contains(answer.at("/adapted/class").asText()), predicted.out());
        assertFalse(answer.get("inverted").asBoolean());
    }

    @Test
    void badFilesAndClassesTheDataLacksAreRefusedBeforeTraining() throws IOException {
        Path data = writeImageFolder(dir.resolve("shapes"));
        Path results = dir.resolve("results");
        Files.writeString(data.resolve("train/top/notes.txt"), "not a picture");
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), experiment("shapes", "image-folder", data).toString());
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().contains(data.resolve("train/top/notes.txt") + ": not a .png, .jpg or .jpeg file"), o.err());
        Files.delete(data.resolve("train/top/notes.txt"));

        Path defaults = Files.writeString(dir.resolve("defaults.yaml"), "data: { dataset: image-folder, dir: '" + data + "' }\nmodel: { hidden: [16] }\n");
        o = MainTest.run("--no-progress", "--results", results.toString(), defaults.toString());
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().contains("pretrain.classes [0, 1, 2, 3, 4, 5, 6, 7] names classes [3, 4, 5, 6, 7] that the data set lacks")
                && o.err().contains("has 3 classes (0 bottom, 1 middle, 2 top)"), o.err());

        Path idx = dir.resolve("idx");
        writeIdx(idx, 4, 2);
        Files.delete(idx.resolve(KnownDataset.TEST_IMAGES));
        o = MainTest.run("--no-progress", "--results", results.toString(), experiment("idx", "idx", idx).toString());
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().contains(idx.resolve(KnownDataset.TEST_IMAGES) + " does not exist; expected an IDX file"), o.err());
        assertFalse(Files.exists(results.resolve("shapes")) || Files.exists(results.resolve("idx")), "nothing written");
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
