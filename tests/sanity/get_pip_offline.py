"""Stand-in for pip's get-pip.py bootstrap script, for machines that cannot reach its download site.

ansible-test runs ``get_pip_<version>.py <pip install options>`` inside a fresh virtual environment made
without pip. This does the same from the interpreter's bundled ``ensurepip`` and the package index.
"""

import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main():
    # In a child process: ensurepip points PIP_CONFIG_FILE at /dev/null in its own environment, which
    # would hide the machine's pip configuration (index, certificates) from the install below.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
    options = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "pip", "install", *options])


if __name__ == "__main__":
    main()
