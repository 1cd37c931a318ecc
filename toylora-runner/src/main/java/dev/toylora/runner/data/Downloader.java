package dev.toylora.runner.data;

import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.DatasetLoader;
import dev.toylora.io.data.IdxReader;
import dev.toylora.io.data.KnownDataset;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a missing IDX file as {@code <mirror><name>.gz}, into a temporary file beside its final
 * place, and renames it to {@code <name>.gz} only once the SHA-256 of its uncompressed content matches.
 *
 * <p>Switched off by the system property {@code toylora.offline=true} or the environment variable
 * {@code TOYLORA_OFFLINE=1} (see {@link #fromEnvironment()}). A host that cannot be reached is not tried
 * again by the same Downloader, so an offline machine fails after one short connect timeout per host.
 */
public final class Downloader implements DatasetLoader.Fetcher {

    /** System property that, set to {@code true} or {@code 1}, switches downloads off. */
    public static final String OFFLINE_PROPERTY = "toylora.offline";
    /** Environment variable that, set to {@code 1} or {@code true}, switches downloads off. */
    public static final String OFFLINE_ENV = "TOYLORA_OFFLINE";

    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

    private final boolean enabled;
    private final @Nullable List<URI> mirrors;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Set<String> unreachableHosts = new HashSet<>();
    private @Nullable HttpClient client;

    private Downloader(boolean enabled, @Nullable List<URI> mirrors, Duration connectTimeout, Duration requestTimeout) {
        this.enabled = enabled;
        this.mirrors = mirrors == null ? null : List.copyOf(mirrors);
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    /** Downloads from each data set's own mirrors with a 5 s connect timeout, unless offline mode is set. */
    public static Downloader fromEnvironment() {
        return new Downloader(!offlineRequested(), null, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    /** A Downloader that never downloads. */
    public static Downloader disabled() {
        return new Downloader(false, null, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    /** Downloads from the given base URLs (each ending in {@code /}) instead of the data set's mirrors. */
    public static Downloader withMirrors(List<URI> mirrors, Duration connectTimeout, Duration requestTimeout) {
        return new Downloader(true, mirrors, connectTimeout, requestTimeout);
    }

    /**
     * Loads {@code dataset} ({@code "mnist"} or {@code "fashion-mnist"}) from {@code dir}, downloading missing files
     * unless {@code TOYLORA_OFFLINE=1} or {@code -Dtoylora.offline=true}: how the runner loads a known data set.
     */
    public static DataSplit load(String dataset, Path dir) {
        return DatasetLoader.load(KnownDataset.byId(dataset), dir, fromEnvironment());
    }

    /** Whether {@code toylora.offline} (system property) or {@code TOYLORA_OFFLINE} (environment) asks for no downloads. */
    public static boolean offlineRequested() {
        return isTrue(System.getProperty(OFFLINE_PROPERTY)) || isTrue(System.getenv(OFFLINE_ENV));
    }

    private static boolean isTrue(@Nullable String value) {
        if (value == null) return false;
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("1") || v.equals("true") || v.equals("yes");
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public String disabledReason() {
        return "Automatic download is off (" + OFFLINE_ENV + " / -D" + OFFLINE_PROPERTY + ").";
    }

    /**
     * Tries each mirror in turn for {@code <fileName>.gz}; returns the verified file, now at
     * {@code dir/<fileName>.gz}, or empty after adding one line per failed attempt to {@code failures}.
     */
    @Override
    public Optional<Path> fetch(List<URI> defaultMirrors, String fileName, String expectedSha256, Path dir, List<String> failures) {
        if (!enabled) return Optional.empty();
        for (URI base : mirrors != null ? mirrors : defaultMirrors) {
            URI uri = base.resolve(fileName + ".gz");
            String host = uri.getHost() + ":" + uri.getPort();
            if (unreachableHosts.contains(host)) continue;
            Path tmp;
            try {
                tmp = Files.createTempFile(dir, "." + fileName, ".part");
            } catch (IOException e) {
                failures.add("cannot write a temporary file in " + dir + ": " + e);
                return Optional.empty();
            }
            try {
                LOG.info("downloading {}", uri);
                HttpResponse<Path> response = client().send(
                        HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build(),
                        HttpResponse.BodyHandlers.ofFile(tmp));
                if (response.statusCode() != 200) {
                    failures.add(uri + ": HTTP " + response.statusCode());
                    continue;
                }
                String actual;
                try {
                    if (!IdxReader.isGzip(tmp)) {
                        failures.add(uri + ": not a valid gzip file (no gzip magic 1f 8b)");
                        continue;
                    }
                    actual = IdxReader.sha256OfContent(tmp);
                } catch (DataException e) {
                    failures.add(uri + ": not a valid gzip file");
                    continue;
                }
                if (!actual.equals(expectedSha256)) {
                    failures.add(uri + ": SHA-256 of the content is " + actual + ", expected " + expectedSha256);
                    continue;
                }
                Path target = dir.resolve(fileName + ".gz");
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LOG.info("downloaded and verified {}", target);
                return Optional.of(target);
            } catch (IOException e) {
                unreachableHosts.add(host);
                String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                        ? "cannot connect (" + e.getClass().getSimpleName() + ")"
                        : e.getClass().getSimpleName();
                failures.add(uri + ": " + why + (e.getMessage() == null ? "" : " " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(uri + ": interrupted");
                return Optional.empty();
            } finally {
                try {
                    Files.deleteIfExists(tmp); // gone already after a successful move
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", tmp, e.toString());
                }
            }
        }
        return Optional.empty();
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            c = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
            client = c;
        }
        return c;
    }
}
