package dev.toylora.runner.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A file named by a request, inside a folder named at start and nowhere else: relative, no {@code ..}, no hidden
 * part, no drive or backslash, and still inside the folder once symbolic links are followed.
 */
final class SafePaths {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_+=,@-][A-Za-z0-9._+=,@-]*");
    private static final int MAX_LENGTH = 512;

    private SafePaths() {}

    /** The regular file {@code relative} names under {@code root}; a 400 or 404 {@link ApiException} otherwise. */
    static Path resolve(Path root, String relative, String what) {
        if (relative.isEmpty() || relative.length() > MAX_LENGTH) throw ApiException.badRequest(what + " must be a relative path of 1 to " + MAX_LENGTH + " characters");
        if (relative.startsWith("/") || relative.contains("\\") || relative.contains(":")) {
            throw ApiException.badRequest(what + " '" + printable(relative) + "' must be relative to the served folder (no leading /, no \\, no drive)");
        }
        for (String part : relative.split("/", -1)) {
            if (part.equals("..")) throw ApiException.badRequest(what + " '" + printable(relative) + "' must not climb out of the served folder (..)");
            if (!PART.matcher(part).matches()) {
                throw ApiException.badRequest(what + " '" + printable(relative) + "' has a part '" + printable(part)
                        + "' that is empty, hidden or holds characters other than letters, digits and . _ + = , @ -");
            }
        }
        try {
            Path base = root.toRealPath();
            Path file = base.resolve(relative).normalize();
            if (!file.startsWith(base) || !Files.isRegularFile(file)) throw ApiException.notFound(what + " '" + relative + "': no such file");
            Path real = file.toRealPath();
            // A symbolic link inside the folder must not lead out of it.
            if (!real.startsWith(base) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw ApiException.badRequest(what + " '" + relative + "' leads out of the served folder");
            }
            return real;
        } catch (IOException e) {
            throw ApiException.notFound(what + " '" + relative + "': no such file");
        }
    }

    /** Control characters shown as '?', and at most 100 characters, so that a message stays one short line. */
    static String printable(String text) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < text.length() && s.length() < 100; i++) {
            char c = text.charAt(i);
            s.append(Character.isISOControl(c) ? '?' : c);
        }
        return text.length() > 100 ? s + "…" : s.toString();
    }
}
