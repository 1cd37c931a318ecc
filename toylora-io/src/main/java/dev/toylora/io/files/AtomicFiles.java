package dev.toylora.io.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files and folders written whole or not at all: written aside in the same folder, then renamed
 * into place, so an interrupted run never leaves a half-written result.
 *
 * <p>What is written aside is hidden and named after this process: {@code .<name>.tmp-<host>-<pid>.<random>}
 * (a staging folder; {@code .part} added for a file) and {@code .<name>.old-<host>-<pid>-<nanos>} (a folder being
 * replaced). Readers skip hidden names. The process keeps a list of what it has aside: on Ctrl-C the CLI's shutdown
 * hook calls {@link #shutDown()}, which stops all further writing and deletes them; what a {@code kill -9} leaves is
 * removed by the next run's {@link #removeStale(Path)}, which can tell it from what another live process (a second
 * shard writing to the same folder) is writing.
 */
public final class AtomicFiles {
    /** How long something aside written on another machine must be untouched before it counts as abandoned. */
    static final Duration FOREIGN_STALE_AFTER = Duration.ofHours(24);

    private static final Pattern ASIDE = Pattern.compile("^\\..*\\.(?:tmp|old)-([0-9a-f]{8})-(\\d+)[.-]\\d+(?:\\.part)?$");
    static final String HOST = hostId();
    static final long PID = ProcessHandle.current().pid();

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Object LOCK = new Object();
    /** Staging folders and temporary files this process has aside right now (absolute). */
    private static final Set<Path> LIVE = new LinkedHashSet<>();
    /** Folders this process has published, in order, as given to {@link #publish}. */
    private static final List<Path> PUBLISHED = new ArrayList<>();
    private static boolean closed;

    private AtomicFiles() {}

    public static void write(Path file, byte[] content) {
        Path target = file.toAbsolutePath();
        Path temp;
        try {
            synchronized (LOCK) {
                requireOpen(file);
                Files.createDirectories(target.getParent());
                temp = createAside(target, ".part", false);
                LIVE.add(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        try {
            // no CREATE: if shutDown() deleted the file meanwhile, fail rather than leave a new one behind
            Files.write(temp, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            synchronized (LOCK) {
                requireOpen(file);
                move(temp, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // left aside, hidden; removeStale() takes it at the next run
            }
            synchronized (LOCK) {
                LIVE.remove(temp);
            }
        }
    }

    public static void write(Path file, String content) {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh staging folder beside {@code target}, to be filled and then {@link #publish}ed. */
    public static Path stage(Path target) {
        Path absolute = target.toAbsolutePath();
        try {
            synchronized (LOCK) {
                requireOpen(target);
                Files.createDirectories(absolute.getParent());
                Path staged = createAside(absolute, "", true);
                LIVE.add(staged);
                return staged;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder beside " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code target} with the staged folder. The old folder is first renamed aside, so at
     * every moment {@code target} is either the complete old result or the complete new one (or, if the
     * process is killed between the two renames, absent).
     *
     * @return whether a folder was there and has been replaced (its files are gone), for the caller to say so
     */
    public static boolean publish(Path staged, Path target) {
        Path absolute = target.toAbsolutePath();
        synchronized (LOCK) {
            requireOpen(target);
            try {
                Path old = null;
                if (Files.exists(absolute)) {
                    old = absolute.resolveSibling("." + absolute.getFileName() + ".old-" + HOST + "-" + PID + "-" + System.nanoTime());
                    move(absolute, old);
                    LIVE.add(old);
                }
                move(staged.toAbsolutePath(), absolute);
                LIVE.remove(staged.toAbsolutePath());
                PUBLISHED.add(target);
                if (old != null) {
                    deleteTree(old);
                    LIVE.remove(old);
                }
                return old != null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot publish " + target + ": " + e.getMessage(), e);
            }
        }
    }

    /** Deletes a folder and everything in it (nothing if it does not exist); a staging folder is given up. */
    public static void deleteTree(Path root) {
        if (Files.exists(root)) {
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // deleted meanwhile
                        throw e;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        if (e != null && !(e instanceof NoSuchFileException)) throw e;
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + root + ": " + e.getMessage(), e);
            }
        }
        synchronized (LOCK) {
            LIVE.remove(root.toAbsolutePath());
        }
    }

    /** The folders this process has published so far, in order. */
    public static List<Path> published() {
        synchronized (LOCK) {
            return List.copyOf(PUBLISHED);
        }
    }

    /** Whether {@link #shutDown()} has run: nothing more is written. */
    public static boolean isShutDown() {
        synchronized (LOCK) {
            return closed;
        }
    }

    /**
     * For a shutdown hook: from now on every {@link #write}, {@link #stage} and {@link #publish} of this process
     * throws instead of writing, and the staging folders and temporary files it has aside are deleted. A publish
     * in progress finishes first, so every result is complete or absent.
     *
     * @return what was deleted
     */
    public static List<Path> shutDown() {
        List<Path> aside;
        synchronized (LOCK) {
            closed = true;
            aside = List.copyOf(LIVE);
            LIVE.clear();
        }
        List<Path> deleted = new ArrayList<>();
        for (Path p : aside) {
            try {
                if (Files.exists(p)) {
                    deleteTree(p);
                    deleted.add(p);
                }
            } catch (UncheckedIOException e) {
                // hidden and named after this process: removeStale() takes it at the next run
            }
        }
        return deleted;
    }

    /** Undoes {@link #shutDown()} (for tests that run it in-process). */
    static void reopen() {
        synchronized (LOCK) {
            closed = false;
        }
    }

    /**
     * Deletes what interrupted runs left aside under {@code root} (to a depth of four folders): staging folders and
     * temporary files of processes on this machine that no longer run, and those of other machines untouched for
     * {@link #FOREIGN_STALE_AFTER}. What a live process (this one, or another shard) has aside is kept.
     *
     * @return what was deleted
     */
    public static List<Path> removeStale(Path root) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) return removed;
        Set<Path> live;
        synchronized (LOCK) {
            live = Set.copyOf(LIVE);
        }
        try {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), 4, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) return FileVisitResult.CONTINUE;
                    return visit(dir, attrs) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    visit(file, attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                private boolean visit(Path path, BasicFileAttributes attrs) {
                    if (!isStale(path, attrs.lastModifiedTime().toInstant(), live)) return false;
                    try {
                        deleteTree(path);
                        removed.add(path);
                    } catch (UncheckedIOException e) {
                        // try again next time
                    }
                    return true;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look through " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /** Whether {@code name} is something written aside (a staging folder, a temporary file, a folder being replaced). */
    public static boolean isAside(String name) {
        return ASIDE.matcher(name).matches();
    }

    static boolean isStale(Path path, Instant modified, Set<Path> live) {
        Matcher m = ASIDE.matcher(path.getFileName().toString());
        if (!m.matches()) return false;
        String host = m.group(1);
        long pid;
        try {
            pid = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            return false;
        }
        if (!host.equals(HOST)) return modified.isBefore(Instant.now().minus(FOREIGN_STALE_AFTER));
        if (pid == PID) return !live.contains(path.toAbsolutePath());
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static String asidePrefix(Path target) {
        return "." + target.getFileName() + ".tmp-" + HOST + "-" + PID + ".";
    }

    /**
     * A new, empty file or folder beside {@code target}, named as {@link #ASIDE} expects. Not Files.createTempFile or
     * createTempDirectory: those make it 0600 / 0700 whatever the umask, and the rename carries that mode into
     * results/, so a folder shared by several users or uids (a Slurm or Kubernetes volume) could not be read by the
     * others. Created plainly, it gets the mode the user's umask asks for, like every file a shell writes.
     */
    private static Path createAside(Path target, String suffix, boolean directory) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = target.resolveSibling(asidePrefix(target) + Long.toUnsignedString(RANDOM.nextLong()) + suffix);
            try {
                return directory ? Files.createDirectory(candidate) : Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    private static void requireOpen(Path target) {
        if (closed) throw new IllegalStateException("not writing " + target + ": the run is being stopped");
    }

    /** A short, file-name-safe id of this machine, so a shared results folder tells machines apart. */
    private static String hostId() {
        String name = null;
        try {
            Path proc = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) name = Files.readString(proc).trim();
        } catch (IOException | RuntimeException e) {
            // fall back below
        }
        if (name == null || name.isEmpty()) name = System.getenv("HOSTNAME");
        if (name == null || name.isEmpty()) name = System.getenv("COMPUTERNAME");
        if (name == null || name.isEmpty()) name = "unknown";
        return String.format(Locale.ROOT, "%08x", name.toLowerCase(Locale.ROOT).hashCode());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
