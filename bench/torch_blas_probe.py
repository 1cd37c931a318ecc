#!/usr/bin/python3
"""Which BLAS Debian's torch calls, which kernel that BLAS chose on this CPU, and how fast it multiplies: a helper of
bench/whole-run.sh, run once with the machine's OPENBLAS_* overrides and once without (the script unsets them).

    /usr/bin/python3 bench/torch_blas_probe.py      -> one line on stdout:
    torchblas torch=1.13.0a0 api=openblas library=libopenblasp-r0.3.21.so version=0.3.21 core=Haswell
              libblas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 mm_gflops_1t=109.5 reference=false
              coretype_env=Haswell l2_size_env=512

Debian's python3-torch does its float matrix products through the generic libblas.so.3, whichever implementation the
alternatives system points it at. Installed alone, python3-torch pulls only libblas3, the *reference* BLAS (plain
Fortran loops, ~6 GFLOP/s here against ~110-140 for OpenBLAS): a benchmark against that torch measures an install
mistake, not PyTorch. reference=true when the loaded library is the reference BLAS (its path, or: no optimised BLAS
found and the product runs under 20 GFLOP/s); the script refuses such a torch unless ALLOW_REFERENCE_BLAS=1.

The kernel comes from threadpoolctl when installed (python3-threadpoolctl), else from openblas_get_corename() of the
libopenblas* mapped into this process (ctypes). The rate is torch.mm at fc1's forward shape (64x784 by 784x512) on
one thread, best of a few 0.1 s timings.
"""
import ctypes
import os
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"
import torch  # noqa: E402

torch.set_num_threads(1)
REFERENCE_DIRS = ("/usr/lib/x86_64-linux-gnu/blas/", "/usr/lib/x86_64-linux-gnu/atlas/")


def mapped_libraries():
    libs = []
    with open("/proc/self/maps") as f:
        for line in f:
            i = line.find("/")
            if i >= 0:
                path = line[i:].strip()
                if path not in libs and ".so" in path:
                    libs.append(path)
    return libs


def main():
    a = torch.randn(64, 784)
    b = torch.randn(784, 512)
    for _ in range(3):
        a @ b
    best = 0.0
    for _ in range(5):
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < 0.1:
            a @ b
            n += 1
        best = max(best, n * 2 * 64 * 784 * 512 / (time.perf_counter() - t) / 1e9)

    info = dict(api="?", library="?", version="?", core="?")
    try:
        import threadpoolctl
        for p in threadpoolctl.threadpool_info():
            if p.get("user_api") == "blas":
                info = dict(api=p.get("internal_api", "?"), library=os.path.basename(p.get("filepath", "?")),
                            version=p.get("version") or "?", core=p.get("architecture") or "?")
                break
    except ImportError:
        pass
    libs = mapped_libraries()
    if info["api"] == "?":
        for path in libs:
            name = os.path.basename(path)
            if name.startswith("libopenblas"):
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                config = lib.openblas_get_config().decode()
                info = dict(api="openblas", library=name, version=config.split()[1] if len(config.split()) > 1 else "?",
                            core=lib.openblas_get_corename().decode())
                break
            if name.startswith(("libmkl", "libblis")):
                info = dict(api=name.split("_")[0].split(".")[0][3:], library=name, version="?", core="?")
                break
    libblas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    reference_mapped = [p for p in libs if p.startswith(REFERENCE_DIRS)]
    # threadpoolctl lists an OpenBLAS that something else loaded (LAPACK, numpy) even when torch's sgemm_ resolved to
    # the reference libblas.so.3 first (LD_LIBRARY_PATH, alternatives): the rate decides between them.
    reference = best < 20 and (bool(reference_mapped) or info["api"] == "?")
    if reference:
        info.update(api="reference", library=os.path.basename(reference_mapped[0]) if reference_mapped else "?",
                    version="?", core="none")
    env = lambda k: os.environ.get(k, "(unset)").replace(" ", "_")  # noqa: E731
    print(f"torchblas torch={torch.__version__} api={info['api']} library={info['library']} version={info['version']} "
          f"core={info['core']} libblas={libblas} mm_gflops_1t={best:.1f} reference={str(reference).lower()} "
          f"slow={str(best < 20).lower()} "
          f"coretype_env={env('OPENBLAS_CORETYPE')} l2_size_env={env('OPENBLAS_L2_SIZE')}")


if __name__ == "__main__":
    sys.exit(main())
