package dev.toylora.runner.cli;

import dev.toylora.runner.experiment.Typos;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a mistyped command line gets: the error, a "did you mean" when a command or option is one typo away, the
 * command's synopsis and where its help is, instead of picocli's whole usage text (35 lines that bury the one that
 * matters). A bare {@code runner} still gets the whole usage: there is no mistake to point at.
 */
final class ShortErrors implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        CommandSpec spec = cmd.getCommandSpec();
        if (cmd.getParent() == null && args.length == 0) {
            cmd.usage(err);
            return spec.exitCodeOnInvalidInput();
        }
        // At the top level a mistyped command is taken for an experiment argument, and picocli complains about
        // whatever follows it (predcit --base x → "Unknown option: '--base'"): the stray word is the real mistake.
        String stray = cmd.getParent() == null ? strayWord(spec, args) : null;
        if (stray != null) {
            List<String> commands = commandNames(cmd);
            String near = Typos.nearest(stray, commands);
            err.println(near != null ? "error: unknown command '" + stray + "'; did you mean '" + near + "'?"
                    : "error: '" + stray + "' is neither a command (" + String.join(", ", commands)
                            + "), an experiment file (*.yaml) nor an override (key=value)");
        } else {
            // picocli checks required options before it complains of unknown ones: "compare --bsae x" would say only
            // that --base is missing, when the mistake is the typo
            List<String> unmatched = cmd.getUnmatchedArguments();
            if (!(ex instanceof CommandLine.UnmatchedArgumentException) && !unmatched.isEmpty() && unmatched.get(0).startsWith("-")) {
                ex = new CommandLine.UnmatchedArgumentException(cmd, unmatched);
            }
            err.println("error: " + ex.getMessage() + optionSuggestion(ex, spec));
        }
        err.print(cmd.getHelp().fullSynopsis());
        err.println("See '" + spec.qualifiedName() + " --help'.");
        err.flush();
        return spec.exitCodeOnInvalidInput();
    }

    /**
     * The first argument that is neither an option, an option's value, an experiment file nor an override: at the top
     * level, where commands are named, a mistyped command.
     */
    static @Nullable String strayWord(CommandSpec spec, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("-")) {
                OptionSpec option = spec.findOption(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg);
                if (option == null) return null; // an unknown option before any stray word is the mistake to name
                if (option.arity().max() > 0 && !arg.contains("=")) i++;
                continue;
            }
            if (arg.endsWith(".yaml") || arg.endsWith(".yml") || arg.contains("=")) continue;
            return spec.subcommands().containsKey(arg) ? null : arg;
        }
        return null;
    }

    private static List<String> commandNames(CommandLine cmd) {
        List<String> names = new ArrayList<>();
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) names.add(name);
        });
        return names;
    }

    /** {@code "; did you mean '--base'?"} for an unknown option one typo away from a real one, else "". */
    private static String optionSuggestion(CommandLine.ParameterException ex, CommandSpec spec) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) return "";
        String arg = unmatched.getUnmatched().get(0);
        if (!arg.startsWith("-")) return "";
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        List<String> names = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (!option.hidden()) names.addAll(List.of(option.names()));
        }
        String near = Typos.nearest(name, names);
        return near == null ? "" : "; did you mean '" + near + "'?";
    }
}
