package dev.toylora.bench.peers;

import java.nio.file.Path;

/**
 * The peers' command line, as bench/pytorch_lora.py's: --data DIR, --epochs N (both stages), --pretrain-epochs N,
 * --finetune-epochs N, --threads N, --seed N, --no-finetune, --probe (print what the framework loaded and which
 * kernels it chose, train nothing).
 */
public record Options(Path data, int pretrainEpochs, int finetuneEpochs, int threads, long seed, boolean finetune, boolean probe) {

    public static Options parse(String program, String[] args) {
        Path data = Path.of("data/mnist");
        int pretrain = 10, finetune = 10, threads = 1;
        long seed = 42;
        boolean doFinetune = true, probe = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> data = Path.of(value(program, args, ++i, a));
                case "--epochs" -> pretrain = finetune = positive(program, value(program, args, ++i, a), a);
                case "--pretrain-epochs" -> pretrain = positive(program, value(program, args, ++i, a), a);
                case "--finetune-epochs" -> finetune = positive(program, value(program, args, ++i, a), a);
                case "--threads" -> threads = positive(program, value(program, args, ++i, a), a);
                case "--seed" -> seed = Long.parseLong(value(program, args, ++i, a));
                case "--no-finetune" -> doFinetune = false;
                case "--probe" -> probe = true;
                default -> usage(program, "unknown option " + a);
            }
        }
        return new Options(data, pretrain, finetune, threads, seed, doFinetune, probe);
    }

    private static String value(String program, String[] args, int i, String option) {
        if (i >= args.length) usage(program, option + " needs a value");
        return args[i];
    }

    private static int positive(String program, String v, String option) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // falls through
        }
        usage(program, option + " needs a positive integer, not " + v);
        return 0;
    }

    private static void usage(String program, String problem) {
        System.err.println(program + ": " + problem);
        System.err.println("usage: " + program + " [--data data/mnist] [--epochs N | --pretrain-epochs N --finetune-epochs N]"
                + " [--threads N] [--seed N] [--no-finetune] [--probe]");
        System.exit(2);
    }
}
