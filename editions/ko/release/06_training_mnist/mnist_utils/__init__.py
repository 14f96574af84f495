"""MNIST and Fashion-MNIST for the course, loaded as in "Deep Learning from Scratch".

    from mnist_utils import load_mnist
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True, one_hot_label=False)

Files are downloaded on first use (SHA-256 checked) into the user cache folder, or into the folder
named by the environment variable MNIST_DATA_DIR. Importing this package does nothing else.
"""

from .datasets import DATASETS, DataFile, Dataset
from .errors import MnistError, MnistWarning
from .fetch import ENV_VAR, data_home
from .idx import read_idx, read_images, read_labels, read_pair
from .mnist import load_mnist

__all__ = [
    "load_mnist",
    "MnistError",
    "MnistWarning",
    "read_idx",
    "read_images",
    "read_labels",
    "read_pair",
    "data_home",
    "ENV_VAR",
    "DATASETS",
    "Dataset",
    "DataFile",
]
