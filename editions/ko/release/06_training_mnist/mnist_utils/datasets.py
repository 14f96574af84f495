"""Where each dataset's four files come from, and their SHA-256 checksums."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataFile:
    """One published file. also_accepted: checksums of repacks with the same content (Debian's)."""

    name: str
    sha256: str
    also_accepted: tuple = ()

    @property
    def accepted(self):
        return (self.sha256, *self.also_accepted)


@dataclass(frozen=True)
class Dataset:
    """The four idx files of an MNIST-style dataset, the mirrors that serve them, and local copies.

    name is also the sub-folder of the data folder that holds the files and the cache.
    """

    name: str
    title: str
    train_images: DataFile
    train_labels: DataFile
    test_images: DataFile
    test_labels: DataFile
    mirrors: tuple
    local_dirs: tuple = ()

    @property
    def files(self):
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)


# the original host, yann.lecun.com, has answered 403/404 since 2024
MNIST = Dataset(
    name="mnist",
    title="MNIST",
    train_images=DataFile(
        "train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    train_labels=DataFile(
        "train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    test_images=DataFile(
        "t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    test_labels=DataFile(
        "t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
)

# First checksum: the files as published by Zalando (their MD5s are the ones torchvision lists).
# Second: Debian's package dataset-fashion-mnist, which re-gzips them without the file name
# in the gzip header, so the bytes differ while the idx content is the same.
FASHION = Dataset(
    name="fashion",
    title="Fashion-MNIST",
    train_images=DataFile(
        "train-images-idx3-ubyte.gz",
        "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
        ("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",),
    ),
    train_labels=DataFile(
        "train-labels-idx1-ubyte.gz",
        "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
        ("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",),
    ),
    test_images=DataFile(
        "t10k-images-idx3-ubyte.gz",
        "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
        ("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",),
    ),
    test_labels=DataFile(
        "t10k-labels-idx1-ubyte.gz",
        "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        ("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",),
    ),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        # the project's own repository, over https; the checksums guard both
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    local_dirs=(Path("/usr/share/datasets/fashion-mnist"),),
)

DATASETS = {"mnist": MNIST, "fashion": FASHION}


def get_dataset(dataset):
    """Return the Dataset for "mnist" or "fashion" (a Dataset instance is returned as is)."""
    if isinstance(dataset, Dataset):
        return dataset
    if dataset not in DATASETS:
        raise ValueError(f"Unknown dataset {dataset!r}: choose one of {', '.join(map(repr, DATASETS))}.")
    return DATASETS[dataset]
