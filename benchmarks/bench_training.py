"""The course's reference training loop against the book's, on one BLAS thread; and load_mnist cold and warm.

Both loops train a 784-50-10 network with mini-batch SGD on the same data, from the same seed, for the same
number of steps (the book's settings: batches of 100, learning rate 0.1), measuring train and test accuracy
once per epoch:

- book: the two-layer net of "Deep Learning from Scratch" as written there (and in the seed notebook):
  float64 weights, float64 one-hot labels, layer objects, dx computed for the first Affine layer too,
  and the loss computed a second time after each update;
- reference: ``autograder.reference.training.train`` driving ``LeanTwoLayerNet``: float32, class-index
  labels, no dx for the first layer, the loss once per step, accuracy in chunks.

Each run is timed twice: CPU time of this process (with one BLAS thread, the work the loop does; it does not
count time spent waiting for a core, so other jobs on the machine hardly change it) and wall-clock time.
The ratio is taken on CPU time; rounds alternate book / reference and the fastest round of each counts.
Run from the repository root:

    python -m benchmarks.bench_training                       # Fashion-MNIST from Debian's package
    python -m benchmarks.bench_training --iters 2000 --rounds 2
    python -m benchmarks.bench_training --data-dir DIR --dataset mnist   # DIR/mnist holds the four .gz files
"""

import os

# one BLAS thread, as in grading; this must happen before numpy is imported
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import OrderedDict  # noqa: E402

import numpy as np  # noqa: E402

try:
    from autograder.reference.training import LeanTwoLayerNet, train
    from benchmarks.bench_load_mnist import bench as bench_load
    from mnist_utils import load_mnist
except ImportError:
    sys.exit("Cannot import the course packages: run from the repository root as python -m benchmarks.bench_training")


# --- the book's network, as the book and the seed notebook write it -------------------------------------------

def book_softmax(x):
    if x.ndim == 2:  # the book works on the transpose so that max and sum run over axis 0
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))


def book_cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:  # one-hot labels: back to indices
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class BookRelu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class BookAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)  # computed for every layer, the first one included
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class BookSoftmaxWithLoss:
    def __init__(self):
        self.loss = self.y = self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = book_softmax(x)
        self.loss = book_cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        return (self.y - self.t) / self.t.shape[0]  # one-hot labels


class BookTwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {"W1": weight_init_std * np.random.randn(input_size, hidden_size),
                       "b1": np.zeros(hidden_size),
                       "W2": weight_init_std * np.random.randn(hidden_size, output_size),
                       "b2": np.zeros(output_size)}
        self.layers = OrderedDict()
        self.layers["Affine1"] = BookAffine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = BookRelu()
        self.layers["Affine2"] = BookAffine(self.params["W2"], self.params["b2"])
        self.lastLayer = BookSoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


def book_loop(network, x_train, t_train, x_test, t_test, iters_num, batch_size, learning_rate, seed):
    """The seed notebook's loop (with a seeded generator, so both loops see the same batches)."""
    rng = np.random.default_rng(seed)
    train_loss_list, train_acc_list, test_acc_list = [], [], []
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size / batch_size, 1)
    for i in range(iters_num):
        batch_mask = rng.choice(train_size, batch_size)
        x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= learning_rate * grad[key]
        train_loss_list.append(network.loss(x_batch, t_batch))  # a second forward pass on the batch
        if i % iter_per_epoch == 0:
            train_acc_list.append(network.accuracy(x_train, t_train))
            test_acc_list.append(network.accuracy(x_test, t_test))
    return {"train_loss_list": train_loss_list, "train_acc_list": train_acc_list, "test_acc_list": test_acc_list}


# --- the benchmark ----------------------------------------------------------------------------------------------

class Timer:
    """CPU time of this process and wall-clock time of a with-block, in seconds."""

    def __enter__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu, self.wall = time.process_time() - self.cpu, time.perf_counter() - self.wall


def run_book(data, args):
    (x_train, t_train), (x_test, t_test) = data
    eye = np.eye(10)  # the book's one-hot labels are float64
    t_train, t_test = eye[t_train], eye[t_test]
    np.random.seed(args.seed)
    net = BookTwoLayerNet(784, 50, 10)
    with Timer() as timer:
        history = book_loop(net, x_train, t_train, x_test, t_test, args.iters, 100, 0.1, args.seed)
    return timer, history


def run_reference(data, args):
    (x_train, t_train), (x_test, t_test) = data
    net = LeanTwoLayerNet(784, 50, 10, seed=args.seed)
    with Timer() as timer:
        history = train(net, x_train, t_train, x_test, t_test, iters_num=args.iters, batch_size=100,
                        learning_rate=0.1, seed=args.seed, progress=False)
    return timer, history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=["mnist", "fashion"], default="fashion")
    parser.add_argument("--data-dir", help="root data folder (default: MNIST_DATA_DIR or the user cache; "
                        "Fashion-MNIST is also found in /usr/share/datasets/fashion-mnist)")
    parser.add_argument("--iters", type=int, default=10000, help="training steps per run (the book: 10000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of book then reference; the fastest counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-load", action="store_true", help="skip the load_mnist timings")
    args = parser.parse_args(argv)

    data = load_mnist(dataset=args.dataset, data_dir=args.data_dir, download=False)
    print(f"{args.dataset}: {len(data[0][0])} training and {len(data[1][0])} test images; {args.iters} steps of "
          f"100, learning rate 0.1, accuracy every 600 steps; BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}")
    cpu = {"book": [], "reference": []}
    wall = {"book": [], "reference": []}
    results = {}
    for r in range(args.rounds):
        for name, run in (("book", run_book), ("reference", run_reference)):
            timer, history = run(data, args)
            cpu[name].append(timer.cpu)
            wall[name].append(timer.wall)
            results[name] = history
            print(f"  round {r + 1}: {name:9s} cpu {timer.cpu:7.2f} s ({timer.cpu / args.iters * 1e3:.3f} ms/step), "
                  f"wall {timer.wall:7.2f} s", flush=True)
    for name in ("book", "reference"):
        h = results[name]
        print(f"{name:9s} fastest cpu {min(cpu[name]):7.2f} s (wall {min(wall[name]):7.2f} s); "
              f"final train accuracy {h['train_acc_list'][-1]:.4f}, test accuracy {h['test_acc_list'][-1]:.4f}")
    ratio = min(cpu["book"]) / min(cpu["reference"])
    wall_ratio = min(wall["book"]) / min(wall["reference"])
    print(f"reference is {ratio:.2f}x faster than the book's loop in CPU time (wall-clock: {wall_ratio:.2f}x; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); "
          f"target >= 3x: {'met' if ratio >= 3 else 'NOT met'}")

    if not args.no_load:
        cold, warm = bench_load(args.dataset, None if args.dataset == "fashion" and args.data_dir is None
                                else os.path.join(args.data_dir, args.dataset), 3, 10)
        print(f"load_mnist({args.dataset!r}): cold {statistics.median(cold) * 1e3:.0f} ms (median of {len(cold)}), "
              f"warm {statistics.median(warm) * 1e3:.1f} ms (max {max(warm) * 1e3:.1f} ms); "
              f"warm target < 200 ms (median): {'met' if statistics.median(warm) < 0.2 else 'NOT met'}")


if __name__ == "__main__":
    main()
