#!/usr/bin/python3
"""experiments/lora-r16.yaml in PyTorch: the reference the whole-run benchmark (bench/whole-run.sh) compares with.

Run with Debian's python3 (python3-torch 1.13, numpy):  /usr/bin/python3 bench/pytorch_lora.py [--epochs 1]

The same experiment as the runner does it (toylora-runner: PretrainStage, FinetuneStage, ReplaySampler,
TrainingLoop, LearningRateSchedule, RunContext.monitor):
  data      MNIST IDX files (raw or .gz) read with numpy, pixels (b/255 - 0.1307) / 0.3081 in float32, all
            preloaded as tensors; no validation split (lora-r16 sets none; the parser's default is 0)
  model     784 -> 512 -> 256 -> 128 -> 10, Linear -> ReLU -> Dropout(0.2) per hidden layer, nn.Linear's init
  pretrain  digits 0-7 (48,200 images), Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-8), batch 64 (last batch
            partial), 10 epochs, constant rate, shuffled each epoch
  finetune  LoRA r=16, alpha=32 (s = 2) on fc1..fc4, W frozen, biases of the adapted layers trained
            (bias: true), A (in x r) ~ U(-1/sqrt(in), 1/sqrt(in)), B (r x out) = 0, y = x W^T + b + s (x A) B;
            data = every 8 and 9 (11,800) + round(3.0 * 11,800) = 35,400 replayed images of 0-7, 4,425 per
            class drawn without replacement; fresh Adam, lr 1e-3 with cosine decay per step to 0 at the last
            step (warm-up 0), batch 64, 10 epochs
  evaluate  after every epoch of both stages on the 10,000 test images (eval mode, batch 1000), as the runner
            does with no validation split; then the base and the adapted model on the test set
Randomness is torch's/numpy's, seeded, so the weights differ from the JVM engines' draws: accuracies agree
within seed-to-seed noise, not digit for digit.

Output: progress lines on stderr; on stdout only "key=value" lines a script can read:
  stage=pretrain seconds=... samples=... epochs=... steps=...
  stage=finetune seconds=... samples=... epochs=... steps=... trainable=...
  accuracy model=base old=... new=... overall=...
  accuracy model=adapted old=... new=... overall=...
  torch version=... threads=... interop=...
A stage's seconds run from its start (selecting its rows, building the model or adapter) to the end of its
last epoch's evaluation, like the runner's seconds.pretrain / seconds.finetune.
"""
import argparse
import gzip
import math
import os
import sys
import time

import numpy as np


def parse_args():
    p = argparse.ArgumentParser(description="experiments/lora-r16.yaml in PyTorch (see the file's docstring)")
    p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist"))
    p.add_argument("--epochs", type=int, help="both stages' epochs (for a short test)")
    p.add_argument("--pretrain-epochs", type=int, default=10)
    p.add_argument("--finetune-epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--blas-threads", type=int,
                   help="OPENBLAS_NUM_THREADS for the BLAS torch calls (default: --threads, or the variable if set)")
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    if a.epochs is not None:
        a.pretrain_epochs = a.finetune_epochs = a.epochs
    return a


ARGS = parse_args()
# Debian's torch calls a generic BLAS (libblas.so.3, OpenBLAS here) for its matrix products, with OpenBLAS's own
# thread pool, which torch.set_num_threads does not size: OpenBLAS reads this variable when it loads, i.e. when
# torch is imported.
if ARGS.blas_threads is not None:
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads)
else:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MEAN, STD = 0.1307, 0.3081
OLD, NEW = list(range(8)), [8, 9]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def read_idx(path):
    """An IDX file (raw or gzip, detected by its magic bytes) as a numpy array of its declared shape."""
    for candidate in (path, path + ".gz"):
        if os.path.exists(candidate):
            with open(candidate, "rb") as f:
                raw = f.read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            dims = raw[3]
            shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"pytorch_lora: {path} is missing (run scripts/fetch-mnist.sh)")


def load(directory):
    table = ((np.arange(256, dtype=np.float32) / np.float32(255) - np.float32(MEAN)) / np.float32(STD)).astype(np.float32)

    def images(name):
        a = read_idx(os.path.join(directory, name))
        return torch.from_numpy(table[a.reshape(a.shape[0], -1)])

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(directory, name)).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


class LoraLinear(torch.nn.Module):
    """y = x W^T + b + s (x A) B with W frozen; A (in x r), B (r x out); b trains when train_bias."""

    def __init__(self, base, rank, alpha, train_bias, generator):
        super().__init__()
        self.weight = base.weight
        self.weight.requires_grad_(False)
        self.bias = base.bias
        self.bias.requires_grad_(train_bias)
        bound = 1.0 / math.sqrt(base.in_features)
        a = torch.empty(base.in_features, rank).uniform_(-bound, bound, generator=generator)
        self.lora_A = torch.nn.Parameter(a)
        self.lora_B = torch.nn.Parameter(torch.zeros(rank, base.out_features))
        self.scale = alpha / rank

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) + self.scale * ((x @ self.lora_A) @ self.lora_B)


class Mlp(torch.nn.Module):
    def __init__(self, sizes=(784, 512, 256, 128, 10), dropout=0.2):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = dropout

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.dropout(F.relu(x), self.dropout, self.training)
        return x


def accuracy(model, x, y):
    """Percent correct overall, on 0-7 and on 8-9 (eval mode, batches of 1000 as the runner's Evaluator)."""
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    model.train()
    right = predicted == y
    old = torch.isin(y, torch.tensor(OLD))
    pct = lambda m: 100.0 * right[m].float().mean().item()  # noqa: E731
    return pct(torch.ones_like(old)), pct(old), pct(~old)


def train(stage, model, params, x, y, rows, epochs, batch, lr, cosine, generator, test):
    """TrainingLoop: shuffle each epoch, batches of `batch` (last one partial), rate set per step, evaluate each epoch."""
    optimizer = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    n = len(rows)
    steps_per_epoch = (n + batch - 1) // batch
    total = epochs * steps_per_epoch
    step = 0
    model.train()
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        order = rows[torch.randperm(n, generator=generator)]
        loss_sum = 0.0
        for start in range(0, n, batch):
            index = order[start:start + batch]
            rate = 0.5 * lr * (1 + math.cos(math.pi * min(1.0, step / max(1, total)))) if cosine else lr
            for group in optimizer.param_groups:
                group["lr"] = rate
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(index)
            step += 1
        seconds = time.perf_counter() - started
        overall, old, new = accuracy(model, *test)
        log(f"{stage} epoch {epoch}/{epochs}: loss {loss_sum / n:.4f}, test {overall:.2f}% (0-7 {old:.2f}%, "
            f"8-9 {new:.2f}%), {n / seconds:.0f} images/s, {seconds:.1f} s")
    return step


def main():
    a = ARGS
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    generator = torch.Generator().manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    x, y, tx, ty = load(a.data)
    test = (tx, ty)
    labels = y.numpy()

    # Pretrain on 0-7.
    started = time.perf_counter()
    old_rows = torch.from_numpy(np.flatnonzero(np.isin(labels, OLD)))
    model = Mlp()
    steps = train("pretrain", model, list(model.parameters()), x, y, old_rows, a.pretrain_epochs, 64, 1e-3, False,
                  generator, test)
    pretrain_seconds = time.perf_counter() - started
    print(f"stage=pretrain seconds={pretrain_seconds:.3f} samples={len(old_rows) * a.pretrain_epochs} "
          f"epochs={a.pretrain_epochs} steps={steps} images={len(old_rows)}", flush=True)
    base = accuracy(model, *test)

    # Fine-tune with LoRA on 8-9 plus 3.0x replay of 0-7, balanced per class, without replacement.
    started = time.perf_counter()
    fresh = np.flatnonzero(np.isin(labels, NEW))
    count = int(round(3.0 * len(fresh)))
    replayed = []
    for k, label in enumerate(OLD):
        share = count // len(OLD) + (1 if k < count % len(OLD) else 0)
        pool = np.flatnonzero(labels == label)
        picks = []
        while len(picks) < share:  # whole passes over a class before any repeat
            picks.extend(rng.permutation(pool)[:share - len(picks)])
        replayed.extend(picks)
    rows = torch.from_numpy(np.concatenate([fresh, np.array(replayed, dtype=np.int64)]))
    for i, layer in enumerate(model.layers):
        model.layers[i] = LoraLinear(layer, rank=16, alpha=32, train_bias=True, generator=generator)
    params = [q for q in model.parameters() if q.requires_grad]
    trainable = sum(q.numel() for q in params)
    steps = train("finetune", model, params, x, y, rows, a.finetune_epochs, 64, 1e-3, True, generator, test)
    finetune_seconds = time.perf_counter() - started
    print(f"stage=finetune seconds={finetune_seconds:.3f} samples={len(rows) * a.finetune_epochs} "
          f"epochs={a.finetune_epochs} steps={steps} images={len(rows)} new={len(fresh)} replayed={len(replayed)} "
          f"trainable={trainable}", flush=True)
    adapted = accuracy(model, *test)

    for name, (overall, old, new) in (("base", base), ("adapted", adapted)):
        print(f"accuracy model={name} old={old:.2f} new={new:.2f} overall={overall:.2f}")
    print(f"torch version={torch.__version__} threads={torch.get_num_threads()} "
          f"interop={torch.get_num_interop_threads()} openblas_threads={os.environ.get('OPENBLAS_NUM_THREADS')}")


if __name__ == "__main__":
    main()
