"""Maps the design card's top-level folders into the `agora` import package.

`agora/` is the core; `envs/`, `agents/`, `trainers/` and `kernels/` become `agora.envs`, ... .
Editable installs honour this mapping, so the tree a newcomer sees is the architecture.
"""

from setuptools import find_packages, setup

PACKAGE_DIRS = {
    "agora": "agora",
    "agora.envs": "envs",
    "agora.agents": "agents",
    "agora.trainers": "trainers",
    "agora.kernels": "kernels",
}


def _packages() -> list[str]:
    packages = []
    for package, folder in PACKAGE_DIRS.items():
        packages.append(package)
        packages.extend(f"{package}.{sub}" for sub in find_packages(folder))
    return packages


setup(packages=_packages(), package_dir=PACKAGE_DIRS)
