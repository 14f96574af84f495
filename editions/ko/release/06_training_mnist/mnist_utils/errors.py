"""The one exception (and one warning) that mnist_utils raises about data files."""


class MnistError(RuntimeError):
    """A data file is missing, corrupt or inconsistent; the message says which file and what to do."""


class MnistWarning(UserWarning):
    """Something was repaired on the way (a corrupt file deleted, a cache rebuilt); loading went on."""
