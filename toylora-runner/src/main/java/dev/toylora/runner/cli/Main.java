package dev.toylora.runner.cli;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.io.data.DataException;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentException;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.Problem;
import dev.toylora.runner.experiment.SweepGrid;
import dev.toylora.runner.pipeline.CpuInfo;
import dev.toylora.runner.pipeline.ExperimentRunner;
import dev.toylora.runner.pipeline.ResultsWriter;
import dev.toylora.runner.pipeline.RunResult;
import dev.toylora.runner.sweep.Shard;
import dev.toylora.runner.sweep.SweepRunner;
import dev.toylora.runner.sweep.SweepSummary;
import dev.toylora.runner.train.DivergenceException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code java -jar runner.jar EXPERIMENT.yaml… [key=value…]}: runs experiment files. Subcommands
 * list the engines and check files without running them.
 */
@Command(name = "runner", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Runs ToyLoRA experiment files: pretrain → fine-tune (LoRA or full) → evaluate, and writes results/<name>/.",
                "Arguments ending in .yaml/.yml are experiment files; arguments key=value override keys of every file",
                "(e.g. finetune.lora.rank=8 seed=7 'finetune.lora.targets=[fc4]').",
                "A file with a sweep: block runs its trials into results/<name>/<trial>/ and tabulates them (see merge)."},
        subcommands = {Main.BackendsCommand.class, Main.KeysCommand.class, Main.ValidateCommand.class, CompareCommand.class, AdaptersCommand.class, ExportCommand.class, PredictCommand.class, ReportCommand.class, MergeCommand.class,
                AnalyzeCommand.class, dev.toylora.runner.serve.ServeCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = 2, exitCodeOnExecutionException = 1)
public final class Main implements Callable<Integer> {

    @Parameters(paramLabel = "EXPERIMENT.yaml | key=value", arity = "0..*", description = "experiment files and overrides")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--results", paramLabel = "DIR", description = "where results/<name>/ go (default: ${DEFAULT-VALUE})")
    Path results = Path.of("results");

    @Option(names = "--no-progress", description = "plain log lines even on an interactive terminal")
    boolean noProgress;

    @Option(names = "--shard", paramLabel = "I/N", converter = ShardConverter.class,
            description = "run only the sweep trials whose index is I mod N (0 <= I < N); a file without a sweep runs on shard 0 only")
    Shard shard = Shard.ALL;

    @Option(names = "--plugins", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "load engine jars from DIR (default: plugins/ beside runner.jar, if there is one)")
    @org.jspecify.annotations.Nullable Path plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // the writers flush on println only: what a command print()s last (keys, report's table) must reach the
        // terminal before System.exit, which does not flush them
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        int exit = execute(out, err, args);
        out.flush();
        err.flush();
        System.exit(exit);
    }

    /** Runs the command line and returns the exit code: 0 done, 1 a run failed, 2 bad input. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, printing to the given writers (tests read them). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(new ShortErrors());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            PrintWriter errors = commandLine.getErr();
            // Ctrl-C / SIGTERM: the shutdown hook stopped all writing and says what was kept; what fails after that is no news
            if (AtomicFiles.isShutDown()) return 130;
            if (e instanceof ExperimentException || e instanceof DataException || e instanceof CheckpointException
                    || e instanceof IllegalArgumentException) {
                errors.println("error: " + e.getMessage());
                return 2;
            }
            if (e instanceof DivergenceException) {
                errors.println("error: " + e.getMessage());
                return 1;
            }
            errors.println("error: " + e);
            e.printStackTrace(errors);
            return 1;
        });
        // Engines in the plugins folder are found through the context class loader by every Backends.get/all below.
        cli.setExecutionStrategy(parsed -> {
            try {
                return Plugins.run(pluginsOption(parsed), () -> new CommandLine.RunLast().execute(parsed));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(), e.getMessage(), e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), e.toString(), e);
            }
        });
        return cli.execute(args);
    }

    /** {@code --plugins}, given before or after a subcommand. */
    private static @org.jspecify.annotations.Nullable Path pluginsOption(CommandLine.ParseResult parsed) {
        Path found = null;
        for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
            Path value = level.matchedOptionValue("--plugins", null);
            if (value != null) found = value;
        }
        return found;
    }

    @Override
    public Integer call() {
        List<Path> files = new ArrayList<>();
        List<String> overrides = new ArrayList<>();
        for (String argument : arguments) {
            if (argument.endsWith(".yaml") || argument.endsWith(".yml")) files.add(Path.of(argument));
            else if (argument.contains("=")) overrides.add(argument);
            else throw new CommandLine.ParameterException(spec.commandLine(),
                    "'" + argument + "' is neither an experiment file (*.yaml) nor an override (key=value)");
        }
        if (files.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "no experiment file given (e.g. experiments/lora-r16.yaml)");
        // Parse and validate every file before any training starts.
        List<Experiment> experiments = new ArrayList<>();
        for (Path file : files) {
            Experiment experiment = ExperimentParser.parse(file, overrides);
            requireBackends(file, overrides, experiment);
            experiments.add(experiment);
        }
        boolean interactive = !noProgress && ConsoleProgress.terminalIsInteractive();
        ExperimentRunner runner = ExperimentRunner.standard(results, new ConsoleProgress(interactive));
        PrintWriter out = spec.commandLine().getOut();
        List<Path> stale = AtomicFiles.removeStale(results);
        if (!stale.isEmpty()) out.println("removed " + stale.size() + " unfinished staging folder(s)/file(s) left by an interrupted run under " + results);
        InterruptHook hook = InterruptHook.install(spec.commandLine().getErr());
        try {
            return runAll(experiments, runner, out);
        } finally {
            hook.remove();
        }
    }

    private int runAll(List<Experiment> experiments, ExperimentRunner runner, PrintWriter out) {
        int exit = 0;
        for (Experiment experiment : experiments) {
            if (!experiment.sweep().isEmpty()) {
                SweepRunner.Result sweep = new SweepRunner(runner).run(experiment, shard);
                out.println();
                out.println(experiment.name() + " — adapted model's test accuracy per trial (" + sweep.table().rows().size() + " of "
                        + sweep.table().trials().size() + " finished; " + sweep.directory().resolve(SweepSummary.CSV) + "):");
                out.println(SweepSummary.markdown(sweep.table()));
                out.flush();
                if (!sweep.failed().isEmpty()) exit = 1;
                continue;
            }
            if (!shard.includes(0)) {
                out.println(experiment.name() + " has no sweep: it runs on shard 0 only, not on shard " + shard);
                continue;
            }
            RunResult result = runner.run(experiment);
            out.println();
            out.println(experiment.name() + " — test accuracy, base vs adapted:");
            out.println(ResultsWriter.comparison(result));
            out.flush();
        }
        return exit;
    }

    /** Every engine the experiment (and each trial of its sweep) names is on the classpath; else where it was named. */
    static void requireBackends(Path file, List<String> overrides, Experiment experiment) {
        Set<String> names = new LinkedHashSet<>();
        names.add(experiment.backend());
        if (!experiment.sweep().isEmpty()) SweepGrid.trials(experiment).forEach(t -> names.add(t.experiment().backend()));
        for (String name : names) {
            try {
                Backends.get(name);
            } catch (IllegalArgumentException e) {
                String key = name.equals(experiment.backend()) ? "backend" : "sweep.backend";
                throw new ExperimentException(new Problem(ExperimentParser.locate(file, overrides, key), key, e.getMessage()));
            }
        }
    }

    /** {@code --shard I/N}, with a message that says what is wrong. */
    static final class ShardConverter implements CommandLine.ITypeConverter<Shard> {
        @Override
        public Shard convert(String value) {
            try {
                return Shard.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(name = "backends", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Lists the engines on the classpath, their versions and whether each can run here.")
    static final class BackendsCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<Backend> all = Backends.all();
            if (all.isEmpty()) {
                out.println("no backend on the classpath; add an engine jar such as toylora-engine-ojalgo");
                return 1;
            }
            // best first: the one an experiment without backend: runs on heads the list
            for (Backend backend : all.stream().sorted(Backends.PREFERRED).toList()) {
                out.printf("%-10s rank %-4d %-40s %s%n", backend.name(), backend.rank(), backend.version(),
                        backend.available() ? "usable" : "unavailable: " + backend.unavailableReason());
            }
            // an engine's numbers can differ on another processor: what this one is (also in every metrics.json)
            out.println("machine: " + CpuInfo.describe(CpuInfo.current()));
            return 0;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Lists every key an experiment file may hold: its values, default and what it does.")
    static final class KeysCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(ExperimentParser.keys());
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Checks experiment files (and overrides) without running them.")
    static final class ValidateCommand implements Callable<Integer> {
        @Parameters(paramLabel = "EXPERIMENT.yaml | key=value", arity = "1..*")
        List<String> arguments = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> overrides = arguments.stream().filter(a -> !a.endsWith(".yaml") && !a.endsWith(".yml")).toList();
            int bad = 0;
            for (String file : arguments) {
                if (!file.endsWith(".yaml") && !file.endsWith(".yml")) continue;
                try {
                    Experiment experiment = ExperimentParser.parse(Path.of(file), overrides);
                    requireBackends(Path.of(file), overrides, experiment);
                    spec.commandLine().getOut().println(file + ": ok (" + experiment.name() + ")");
                } catch (ExperimentException | IllegalArgumentException e) {
                    spec.commandLine().getErr().println(e.getMessage());
                    bad++;
                }
            }
            return bad == 0 ? 0 : 2;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ToyLoRA runner " + (v == null ? "development" : v)};
        }
    }
}
