package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: headless Chromium draws an 8 (with a mouse) and a 3 (with a finger) through pointer
 * events, and the page must show the adapter's and the base's answers. Skipped, saying why, without Chromium and its
 * driver (Debian: {@code apt-get install chromium chromium-driver}; or set CHROMIUM and CHROMEDRIVER).
 */
class BrowserTest {
    /** Selenium warns that it has no DevTools bindings for this Chromium; the test uses none. Kept: loggers are weak. */
    static final java.util.logging.Logger SELENIUM = java.util.logging.Logger.getLogger("org.openqa.selenium");
    static Server server;
    static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> browser = find("CHROMIUM", "chromium", "chromium-browser", "google-chrome");
        Optional<Path> chromedriver = find("CHROMEDRIVER", "chromedriver", "/usr/lib/chromium/chromedriver");
        assumeTrue(browser.isPresent() && chromedriver.isPresent(), "the browser test needs Chromium and chromedriver (apt-get install chromium chromium-driver); found "
                + browser.map(Path::toString).orElse("no chromium") + " and " + chromedriver.map(Path::toString).orElse("no chromedriver"));
        Map<String, Path> adapters = new LinkedHashMap<>();
        for (String name : List.of("lora", "eight", "nine")) adapters.put(name, Fixtures.adapters().get(name));
        server = Server.start(Fixtures.config(adapters, null, Limits.defaults(), Batcher.Strategy.SHARED, Server.Admin.open()));
        SELENIUM.setLevel(java.util.logging.Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1500",
                "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.get().toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
    }

    /** An executable named by an environment variable, on the PATH, or at an absolute path. */
    static Optional<Path> find(String variable, String... names) {
        List<Path> candidates = new ArrayList<>();
        String given = System.getenv(variable);
        if (given != null && !given.isBlank()) candidates.add(Path.of(given));
        for (String name : names) {
            if (name.startsWith("/")) candidates.add(Path.of(name));
            else Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).filter(d -> !d.isEmpty()).forEach(d -> candidates.add(Path.of(d, name)));
        }
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    @Test
    void drawsAnEightAndAThreeAndThePageShowsWhatEachModelSays() throws Exception {
        driver.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.until(d -> d.findElements(By.cssSelector("#adapters input[data-adapter]")).size() == 3);
        WebElement pad = driver.findElement(By.id("pad"));

        // An 8 with the mouse: a smaller loop on a larger one.
        draw(pad, PointerInput.Kind.MOUSE, List.of(circle(140, 88, 42, -90, 270), circle(140, 182, 52, -90, 270)));
        Map<String, Integer> eight = answers(wait);
        assertEquals(8, eight.get("lora"), "the adapter trained on 8 and 9 reads the drawn 8: " + eight);
        assertNotEquals(8, eight.get("base"), "the base never learnt 8: " + eight);
        assertEquals(8, eight.get("eight"), "the adapter trained on 8 alone: " + eight);
        assertNotEquals(8, eight.get("nine"), "the adapter trained on 9 alone: " + eight);
        assertTrue(driver.findElement(By.cssSelector("#runs")).findElements(By.tagName("option")).size() > 0, "the results runs are listed");
        wait.until(d -> !d.findElements(By.cssSelector("#run-view table")).isEmpty());

        // Mix weights: eight + nine, a card of its own (their updates summed, PEFT's cat).
        for (String name : List.of("eight", "nine")) {
            WebElement slider = driver.findElement(By.xpath("//tr[td/input[@data-adapter='" + name + "']]//input[@type='range']"));
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                    "arguments[0].value = '1'; arguments[0].dispatchEvent(new Event('input'));", slider);
        }
        wait.until(d -> !d.findElements(By.cssSelector(".card[data-model='mix']")).isEmpty());
        answers(wait);
        Path shot = screenshotPath();
        Files.createDirectories(shot.toAbsolutePath().getParent());
        Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

        // A 3 with a finger: two arcs open to the left.
        driver.findElement(By.id("clear")).click();
        draw(pad, PointerInput.Kind.TOUCH, List.of(circle(135, 92, 44, -160, 90), circle(135, 182, 50, -90, 160)));
        Map<String, Integer> three = answers(wait);
        assertEquals(3, three.get("base"), "the base reads the drawn 3: " + three);
        assertEquals(3, three.get("lora"), "the adapter keeps 3: " + three);

        // A picture picked from disk is sent as it is and prepared by the server (as `predict` prepares it).
        driver.findElement(By.id("file")).sendKeys(Fixtures.file("samples/8-large.png").toString());
        wait.until(d -> String.valueOf(((org.openqa.selenium.JavascriptExecutor) d).executeScript("return state.picture !== null")).equals("true"));
        Map<String, Integer> picked = answers(wait);
        assertEquals(8, picked.get("lora"), "samples/8-large.png: " + picked);
        assertNotEquals(8, picked.get("base"), "samples/8-large.png: " + picked);

        // Hiding an adapter removes its card.
        driver.findElement(By.cssSelector("#adapters input[data-adapter='nine']")).click();
        wait.until(d -> d.findElements(By.cssSelector(".card[data-model='nine']")).isEmpty());
    }

    /** Where the page's screenshot goes: -Dtoylora.serve.screenshot=FILE, else the build folder. */
    static Path screenshotPath() {
        String given = System.getProperty("toylora.serve.screenshot");
        return given != null ? Path.of(given) : Path.of(System.getProperty("java.io.tmpdir"), "toylora-serve-page.png");
    }

    /** Points along a circle from one angle to another (degrees, screen coordinates: y grows downwards). */
    static List<int[]> circle(int cx, int cy, int r, int from, int to) {
        List<int[]> points = new ArrayList<>();
        int step = from < to ? 12 : -12;
        for (int a = from; step > 0 ? a <= to : a >= to; a += step) {
            points.add(new int[] {(int) Math.round(cx + r * Math.cos(Math.toRadians(a))), (int) Math.round(cy + r * Math.sin(Math.toRadians(a)))});
        }
        return points;
    }

    /** Strokes drawn with real pointer events; points are in the pad's pixels (0..280), the origin its centre. */
    static void draw(WebElement pad, PointerInput.Kind kind, List<List<int[]>> strokes) {
        PointerInput pointer = new PointerInput(kind, kind == PointerInput.Kind.TOUCH ? "finger" : "mouse");
        Sequence sequence = new Sequence(pointer, 0);
        for (List<int[]> stroke : strokes) {
            int[] first = stroke.get(0);
            sequence.addAction(pointer.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(pad), first[0] - 140, first[1] - 140));
            sequence.addAction(pointer.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
            for (int[] p : stroke.subList(1, stroke.size())) {
                sequence.addAction(pointer.createPointerMove(Duration.ofMillis(15), PointerInput.Origin.fromElement(pad), p[0] - 140, p[1] - 140));
            }
            sequence.addAction(pointer.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        }
        ((org.openqa.selenium.interactions.Interactive) driver).perform(List.of(sequence));
    }

    /** Each card's top-1 digit, once the page has had its last answer (no new one for half a second). */
    static Map<String, Integer> answers(WebDriverWait wait) throws InterruptedException {
        String seen = "";
        for (int quiet = 0; quiet < 5; ) {
            String now = String.valueOf(((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return document.body.dataset.predicted + '/' + state.busy"));
            if (now.equals(seen) && !now.equals("0/false") && now.endsWith("/false")) quiet++;
            else quiet = 0;
            seen = now;
            Thread.sleep(100);
        }
        Map<String, Integer> answers = new LinkedHashMap<>();
        wait.until(d -> !d.findElements(By.cssSelector(".card[data-model='base']")).isEmpty());
        for (WebElement card : driver.findElements(By.cssSelector(".card"))) {
            answers.put(card.getAttribute("data-model"), Integer.parseInt(card.findElement(By.className("digit")).getText().strip()));
        }
        return answers;
    }
}
